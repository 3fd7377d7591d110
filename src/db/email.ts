// Email addresses of local users (confirmed and pending), their notification switches, and the
// single-use tokens of confirmation and recovery links (stored as hashes).
import type { Knex } from 'knex';

export type EmailSettingsRecord = {
  userId: number;
  nickname: string;
  /** The confirmed address: the one recovery and notifications use. */
  email: string | null;
  /** An address waiting for its confirmation link to be followed. */
  pendingEmail: string | null;
  notifySubscriber: boolean;
  notifyMention: boolean;
  notifyFavorite: boolean;
  notifyMessage: boolean;
};

export type EmailTokenPurpose = 'confirm' | 'recover';

export type EmailTokenRecord = { userId: number; purpose: EmailTokenPurpose; address: string | null; expiresAt: Date };

function toSettings(row: Record<string, unknown>): EmailSettingsRecord {
  return {
    userId: Number(row.id),
    nickname: row.nickname as string,
    email: row.email as string | null,
    pendingEmail: row.pending_email as string | null,
    notifySubscriber: row.notify_subscriber as boolean,
    notifyMention: row.notify_mention as boolean,
    notifyFavorite: row.notify_favorite as boolean,
    notifyMessage: row.notify_message as boolean,
  };
}

function selectSettings(db: Knex) {
  return db('users as u').join('profiles as p', 'p.id', 'u.id').select('u.id', 'p.nickname', 'u.email', 'u.pending_email', 'u.notify_subscriber', 'u.notify_mention', 'u.notify_message', 'u.notify_favorite');
}

/** A local user's addresses and switches, or undefined. */
export async function getEmailSettings(db: Knex, userId: number): Promise<EmailSettingsRecord | undefined> {
  const row = await selectSettings(db).where('u.id', userId).first();
  return row ? toSettings(row) : undefined;
}

/** The local user whose confirmed address this is (compared without case), or undefined. */
export async function getEmailSettingsByAddress(db: Knex, address: string): Promise<EmailSettingsRecord | undefined> {
  const row = await selectSettings(db).whereRaw('lower(u.email) = lower(?)', [address]).first();
  return row ? toSettings(row) : undefined;
}

/** The local user with this nickname, or undefined. */
export async function getEmailSettingsByNickname(db: Knex, nickname: string): Promise<EmailSettingsRecord | undefined> {
  const row = await selectSettings(db).where('p.nickname', nickname).andWhere('p.is_local', true).first();
  return row ? toSettings(row) : undefined;
}

/** Sets the confirmed and pending addresses. */
export async function updateAddresses(db: Knex, userId: number, addresses: { email: string | null; pendingEmail: string | null }): Promise<void> {
  await db('users').where({ id: userId }).update({ email: addresses.email, pending_email: addresses.pendingEmail });
}

/** Makes the pending address the confirmed one if it is still `address`; false when it changed meanwhile. */
export async function confirmPendingAddress(db: Knex, userId: number, address: string): Promise<boolean> {
  const changed = await db('users').where({ id: userId, pending_email: address }).update({ email: address, pending_email: null });
  return changed > 0;
}

/** The notifications a user can switch on and off, and the column of each switch. */
const SWITCHES = { subscriber: 'notify_subscriber', mention: 'notify_mention', message: 'notify_message', favorite: 'notify_favorite' } as const;

export type NotificationKind = keyof typeof SWITCHES;

/** Sets the notification switches. */
export async function updateNotificationSwitches(db: Knex, userId: number, switches: Record<NotificationKind, boolean>): Promise<void> {
  await db('users').where({ id: userId }).update({ notify_subscriber: switches.subscriber, notify_mention: switches.mention, notify_message: switches.message, notify_favorite: switches.favorite });
}

/** Of these local users, those with a confirmed address and this notification switched on. */
export async function listNotifiable(db: Knex, userIds: readonly number[], kind: NotificationKind): Promise<number[]> {
  if (userIds.length === 0) return [];
  const rows = await db('users').whereIn('id', userIds).whereNotNull('email').andWhere(SWITCHES[kind], true).select('id');
  return rows.map((row: { id: number | string }) => Number(row.id));
}

/** Stores a token's hash; expired tokens of everyone are deleted on the way, so none pile up. */
export async function insertEmailToken(db: Knex, token: { hash: Buffer; userId: number; purpose: EmailTokenPurpose; address: string | null; lifetimeSeconds: number }): Promise<void> {
  await db('email_tokens').where('expires_at', '<=', db.fn.now()).delete();
  await db('email_tokens').insert({
    token_hash: token.hash,
    user_id: token.userId,
    purpose: token.purpose,
    address: token.address,
    expires_at: db.raw('now() + make_interval(secs => ?)', [token.lifetimeSeconds]),
  });
}

function toToken(row: Record<string, unknown>): EmailTokenRecord {
  return { userId: Number(row.user_id), purpose: row.purpose as EmailTokenPurpose, address: row.address as string | null, expiresAt: row.expires_at as Date };
}

/** The unexpired token with this hash and purpose, left in place. */
export async function findEmailToken(db: Knex, hash: Buffer, purpose: EmailTokenPurpose): Promise<EmailTokenRecord | undefined> {
  const row = await db('email_tokens').where({ token_hash: hash, purpose }).andWhere('expires_at', '>', db.fn.now()).first();
  return row ? toToken(row) : undefined;
}

/** Deletes and returns the unexpired token with this hash and purpose: of two concurrent uses, one gets it. */
export async function takeEmailToken(db: Knex, hash: Buffer, purpose: EmailTokenPurpose): Promise<EmailTokenRecord | undefined> {
  const rows = await db('email_tokens').where({ token_hash: hash, purpose }).andWhere('expires_at', '>', db.fn.now()).delete().returning(['user_id', 'purpose', 'address', 'expires_at']);
  return rows[0] ? toToken(rows[0]) : undefined;
}

/** Deletes a user's tokens of one purpose (the other links of a used recovery, an address replaced). */
export async function deleteEmailTokens(db: Knex, userId: number, purpose: EmailTokenPurpose): Promise<void> {
  await db('email_tokens').where({ user_id: userId, purpose }).delete();
}
