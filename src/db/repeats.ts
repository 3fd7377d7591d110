// Repeats: notices of their own that point at the notice they repeat (one per person per notice).
import type { Knex } from 'knex';
import { NOTICE_COLUMNS, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';

export type NewRepeat = {
  profileId: number;
  repeatOf: number;
  isLocal: boolean;
  /** The Announce's id, for a repeat made on another server. */
  uri: string | null;
  content: string;
  rendered: string;
  source: string;
};

/** Stores a repeat (a conversation of its own); its id, or undefined when this person already repeated that notice (or the URI is known). */
export async function insertRepeat(db: Knex, repeat: NewRepeat): Promise<number | undefined> {
  const result = await db.raw(
    `INSERT INTO notices (id, profile_id, content, rendered, is_local, uri, conversation_id, source, repeat_of)
     VALUES (nextval('notices_id_seq'), :profileId, :content, :rendered, :isLocal, :uri, currval('notices_id_seq'), :source, :repeatOf)
     ON CONFLICT DO NOTHING RETURNING id`,
    { ...repeat },
  );
  return (result.rows[0] as { id: number } | undefined)?.id;
}

/** Deletes a person's repeat of a notice; the repeat's id, or undefined when there was none. */
export async function deleteRepeat(db: Knex, profileId: number, repeatOf: number): Promise<number | undefined> {
  const [row] = await db('notices').where({ profile_id: profileId, repeat_of: repeatOf }).delete().returning('id');
  return (row as { id: number } | undefined)?.id;
}

/** Deletes the repeat another server made under this URI, if this profile made it; whether one went. */
export async function deleteRemoteRepeatByUri(db: Knex, profileId: number, uri: string): Promise<boolean> {
  return (await db('notices').where({ uri, profile_id: profileId, is_local: false }).whereNotNull('repeat_of').delete()) > 0;
}

/** The notice stored under this URI (a remote one's identifier), with its author, or undefined. */
export async function getNoticeByUri(db: Knex, uri: string): Promise<NoticeRecord | undefined> {
  const row = await db('notices as n').join('profiles as p', 'p.id', 'n.profile_id').select(NOTICE_COLUMNS).where('n.uri', uri).first();
  return row ? toNoticeRecord(row) : undefined;
}
