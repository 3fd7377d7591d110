// Jabber (XMPP) addresses of local users: the confirmed one, one waiting for its link (whose
// token is stored as a hash, with its expiry), and the switches that say what to send them.
import type { Knex } from 'knex';

export type ImSwitches = {
  /** The notices of the people they subscribe to. */
  notices: boolean;
  /** Notices that mention them or answer one of theirs. */
  replies: boolean;
  /** What they send the bot is posted as a notice. */
  post: boolean;
  /** The bot answers each notice they post by chat with its link. */
  echo: boolean;
};

export type ImSettingsRecord = {
  userId: number;
  nickname: string;
  /** The confirmed address: messages are taken from and sent to it only. */
  jid: string | null;
  /** An address waiting for its confirmation link to be followed. */
  pendingJid: string | null;
  switches: ImSwitches;
  /** Delivery paused with the "off" command. */
  paused: boolean;
};

/** The local account a confirmed address belongs to. */
export type ImAccountRecord = ImSettingsRecord & { jid: string; suspended: boolean };

const COLUMNS = ['u.id', 'p.nickname', 'p.suspended_at', 'a.jid', 'a.pending_jid', 'a.notify_notices', 'a.notify_replies', 'a.post_by_chat', 'a.echo_posts', 'a.paused'];

function toSettings(row: Record<string, unknown>): ImSettingsRecord {
  return {
    userId: Number(row.id),
    nickname: row.nickname as string,
    jid: (row.jid as string | null) ?? null,
    pendingJid: (row.pending_jid as string | null) ?? null,
    // A user without a row has the defaults of the table.
    switches: {
      notices: (row.notify_notices as boolean | null) ?? true,
      replies: (row.notify_replies as boolean | null) ?? true,
      post: (row.post_by_chat as boolean | null) ?? true,
      echo: (row.echo_posts as boolean | null) ?? false,
    },
    paused: (row.paused as boolean | null) ?? false,
  };
}

function selectSettings(db: Knex) {
  return db('users as u').join('profiles as p', 'p.id', 'u.id').leftJoin('im_addresses as a', 'a.user_id', 'u.id').select(COLUMNS);
}

/** A local user's addresses and switches (defaults when they never gave one), or undefined for no such user. */
export async function getImSettings(db: Knex, userId: number): Promise<ImSettingsRecord | undefined> {
  const row = await selectSettings(db).where('u.id', userId).first();
  return row ? toSettings(row) : undefined;
}

/** The account whose confirmed address this bare JID is, or undefined. */
export async function getImAccountByJid(db: Knex, jid: string): Promise<ImAccountRecord | undefined> {
  const row = await selectSettings(db).where('a.jid', jid).first();
  return row ? { ...toSettings(row), jid, suspended: row.suspended_at !== null } : undefined;
}

/** Sets the address waiting for confirmation (any earlier link stops working); the confirmed one stays. */
export async function setPendingJid(db: Knex, userId: number, pendingJid: string): Promise<void> {
  await db('im_addresses')
    .insert({ user_id: userId, pending_jid: pendingJid })
    .onConflict('user_id')
    .merge({ pending_jid: pendingJid, token_hash: null, token_expires_at: null });
}

/** Drops the address waiting for confirmation, and its link. */
export async function clearPendingJid(db: Knex, userId: number): Promise<void> {
  await db('im_addresses').where({ user_id: userId }).update({ pending_jid: null, token_hash: null, token_expires_at: null });
}

/** Stores the hash of a new confirmation link for `jid`, if it is still the pending address; false otherwise. */
export async function setImToken(db: Knex, userId: number, jid: string, hash: Buffer, lifetimeSeconds: number): Promise<boolean> {
  const changed = await db('im_addresses')
    .where({ user_id: userId, pending_jid: jid })
    .update({ token_hash: hash, token_expires_at: db.raw('now() + make_interval(secs => ?)', [lifetimeSeconds]) });
  return changed > 0;
}

/** The user and address of an unexpired confirmation link, left in place. */
export async function findImToken(db: Knex, hash: Buffer): Promise<{ userId: number; jid: string } | undefined> {
  const row = (await db('im_addresses').where({ token_hash: hash }).andWhere('token_expires_at', '>', db.fn.now()).first('user_id', 'pending_jid')) as
    | { user_id: number | string; pending_jid: string }
    | undefined;
  return row ? { userId: Number(row.user_id), jid: row.pending_jid } : undefined;
}

/** Uses an unexpired link: its address becomes the confirmed one; of two concurrent uses, one gets it. */
export async function confirmImToken(db: Knex, hash: Buffer): Promise<{ userId: number; jid: string } | undefined> {
  const rows = (await db('im_addresses')
    .where({ token_hash: hash })
    .andWhere('token_expires_at', '>', db.fn.now())
    .update({ jid: db.ref('pending_jid'), pending_jid: null, token_hash: null, token_expires_at: null, paused: false })
    .returning(['user_id', 'jid'])) as { user_id: number | string; jid: string }[];
  return rows[0] ? { userId: Number(rows[0].user_id), jid: rows[0].jid } : undefined;
}

/** Saves the switches (and the pause) of a user who has an address; false when they have none. */
export async function updateImSwitches(db: Knex, userId: number, switches: ImSwitches, paused: boolean): Promise<boolean> {
  const changed = await db('im_addresses')
    .where({ user_id: userId })
    .update({ notify_notices: switches.notices, notify_replies: switches.replies, post_by_chat: switches.post, echo_posts: switches.echo, paused });
  return changed > 0;
}

/** Pauses or resumes delivery to a user's confirmed address. */
export async function updateImPaused(db: Knex, userId: number, paused: boolean): Promise<void> {
  await db('im_addresses').where({ user_id: userId }).update({ paused });
}

/** Forgets a user's addresses, confirmed and pending; false when there were none. */
export async function deleteImAddress(db: Knex, userId: number): Promise<boolean> {
  return (await db('im_addresses').where({ user_id: userId }).delete()) > 0;
}

/**
 * Who gets a notice by chat: confirmed, unpaused addresses of local users other than its author
 * who subscribe to the author (with that switch on), or whom it mentions or answers (with that
 * switch on); each once. Nothing from or to suspended people. Read from the notice's subscribers
 * and mentions (indexed), as the home-timeline fan-out is, never by scanning every address.
 */
export async function listImRecipients(db: Knex, noticeId: number): Promise<{ userId: number; jid: string }[]> {
  const result = await db.raw(
    `WITH n AS (SELECT id, profile_id, in_reply_to FROM notices WHERE id = :noticeId),
     candidates AS (
       SELECT s.subscriber_id AS user_id, true AS subscribed FROM subscriptions s JOIN n ON s.subscribed_id = n.profile_id
       UNION ALL SELECT m.profile_id, false FROM mentions m JOIN n ON m.notice_id = n.id
       UNION ALL SELECT parent.profile_id, false FROM notices parent JOIN n ON parent.id = n.in_reply_to
     )
     SELECT a.user_id, a.jid
     FROM candidates c
     JOIN im_addresses a ON a.user_id = c.user_id
     CROSS JOIN n
     JOIN profiles author ON author.id = n.profile_id
     JOIN profiles reader ON reader.id = a.user_id
     WHERE a.jid IS NOT NULL AND NOT a.paused AND a.user_id <> n.profile_id
       AND author.suspended_at IS NULL AND reader.suspended_at IS NULL
       AND CASE WHEN c.subscribed THEN a.notify_notices ELSE a.notify_replies END
       -- nothing by someone the reader blocks or mutes, as their home timeline and replies hide it
       AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = a.user_id AND b.blocked_id = n.profile_id)
     GROUP BY a.user_id, a.jid
     ORDER BY a.user_id`,
    { noticeId },
  );
  return (result.rows as { user_id: number | string; jid: string }[]).map((row) => ({ userId: Number(row.user_id), jid: row.jid }));
}
