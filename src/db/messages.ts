// Direct messages: their own table, read only by the pages of the two people involved.
import type { Knex } from 'knex';
import { toProfileRecord } from './records.ts';
import type { AuthorRecord, ProfileRecord } from './records.ts';

export type MessageRecord = {
  id: number;
  content: string;
  rendered: string;
  /** A remote message's id on its own server (null for ours). */
  uri: string | null;
  url: string | null;
  source: string;
  createdAt: Date;
  sender: AuthorRecord;
  recipient: AuthorRecord;
  /** Whether the sender's outbox (here) still holds it. */
  inSenderBox: boolean;
  /** Whether the recipient's inbox (here) still holds it. */
  inRecipientBox: boolean;
};

export type NewMessage = {
  senderId: number;
  recipientId: number;
  content: string;
  rendered: string;
  uri: string | null;
  url: string | null;
  source: string;
  inSenderBox: boolean;
  inRecipientBox: boolean;
};

const PERSON_FIELDS = ['id', 'nickname', 'fullname', 'is_local', 'profile_url', 'avatar_url', 'avatar_key'] as const;

const COLUMNS = [
  'm.id',
  'm.content',
  'm.rendered',
  'm.uri',
  'm.url',
  'm.source',
  'm.created_at',
  'm.in_sender_box',
  'm.in_recipient_box',
  ...PERSON_FIELDS.map((field) => `s.${field} as sender_${field}`),
  ...PERSON_FIELDS.map((field) => `r.${field} as recipient_${field}`),
];

function person(row: Record<string, unknown>, prefix: 'sender' | 'recipient'): AuthorRecord {
  const field = (name: string) => row[`${prefix}_${name}`];
  return {
    id: Number(field('id')),
    nickname: field('nickname') as string,
    fullname: field('fullname') as string | null,
    isLocal: field('is_local') as boolean,
    profileUrl: field('profile_url') as string | null,
    avatarUrl: (field('avatar_url') as string | null) ?? null,
    avatarKey: (field('avatar_key') as string | null) ?? null,
  };
}

function toMessageRecord(row: Record<string, unknown>): MessageRecord {
  return {
    id: Number(row.id),
    content: row.content as string,
    rendered: row.rendered as string,
    uri: row.uri as string | null,
    url: row.url as string | null,
    source: row.source as string,
    createdAt: row.created_at as Date,
    sender: person(row, 'sender'),
    recipient: person(row, 'recipient'),
    inSenderBox: row.in_sender_box as boolean,
    inRecipientBox: row.in_recipient_box as boolean,
  };
}

function withPeople(db: Knex): Knex.QueryBuilder {
  return db('messages as m').join('profiles as s', 's.id', 'm.sender_id').join('profiles as r', 'r.id', 'm.recipient_id').select(COLUMNS);
}

/** Stores a message and returns its id; undefined when a remote message with this URI is already stored for this recipient. */
export async function insertMessage(db: Knex, message: NewMessage): Promise<number | undefined> {
  const rows = await db('messages')
    .insert({
      sender_id: message.senderId,
      recipient_id: message.recipientId,
      content: message.content,
      rendered: message.rendered,
      uri: message.uri,
      url: message.url,
      source: message.source,
      in_sender_box: message.inSenderBox,
      in_recipient_box: message.inRecipientBox,
    })
    .onConflict(db.raw('(uri, recipient_id) WHERE uri IS NOT NULL'))
    .ignore()
    .returning('id');
  const row = rows[0] as { id: number | string } | undefined;
  return row === undefined ? undefined : Number(row.id);
}

/** The message with its sender and recipient, or undefined. */
export async function getMessageById(db: Knex, id: number): Promise<MessageRecord | undefined> {
  const row = await withPeople(db).where('m.id', id).first();
  return row ? toMessageRecord(row) : undefined;
}

type Page = { before: number | undefined; limit: number };

/** The messages in a profile's inbox (`inbox`) or outbox, newest first, keyset-paged. */
export async function listBox(db: Knex, profileId: number, box: 'inbox' | 'outbox', page: Page): Promise<MessageRecord[]> {
  const [owner, flag] = box === 'inbox' ? ['m.recipient_id', 'm.in_recipient_box'] : ['m.sender_id', 'm.in_sender_box'];
  const query = withPeople(db).where(owner, profileId).andWhere(flag, true);
  if (page.before !== undefined) query.andWhere('m.id', '<', page.before);
  const rows = await query.orderBy('m.id', 'desc').limit(page.limit);
  return rows.map(toMessageRecord);
}

/** Takes a message out of one box; the row goes when no box here holds it any more. False when the box did not hold it. */
export async function removeFromBox(db: Knex, id: number, box: 'inbox' | 'outbox'): Promise<boolean> {
  const [mine, other] = box === 'inbox' ? ['in_recipient_box', 'in_sender_box'] : ['in_sender_box', 'in_recipient_box'];
  const deleted = await db('messages').where({ id, [mine]: true, [other]: false }).delete();
  if (deleted > 0) return true;
  return (await db('messages').where({ id, [mine]: true }).update({ [mine]: false })) > 0;
}

/** Deletes the messages with this URI that this remote profile sent (it withdrew them); how many. */
export async function deleteRemoteMessagesByUri(db: Knex, senderId: number, uri: string): Promise<number> {
  return db('messages').where({ uri, sender_id: senderId }).delete();
}

/** The remote people with this (lower-case) nickname who subscribe to `profileId` (a scan of that one person's subscribers). */
export async function listRemoteSubscribersNamed(db: Knex, profileId: number, nickname: string): Promise<ProfileRecord[]> {
  const rows = await db('subscriptions as s')
    .join('profiles as p', 'p.id', 's.subscriber_id')
    .where('s.subscribed_id', profileId)
    .andWhere('p.is_local', false)
    .whereRaw('lower(p.nickname) = ?', [nickname])
    .select('p.*')
    .orderBy('p.id')
    .limit(50);
  return rows.map(toProfileRecord);
}
