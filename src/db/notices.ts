// Notices and what is indexed from their text (tags, mentions).
import type { Knex } from 'knex';
import { NOTICE_COLUMNS, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';

export type NewNotice = {
  profileId: number;
  content: string;
  rendered: string;
  isLocal: boolean;
  inReplyTo: number | null;
  conversationId: number | null; // null starts a new conversation with this notice
  source: string;
};

/** Inserts a notice (and its conversation id) and returns its id. */
export async function insertNotice(db: Knex, notice: NewNotice): Promise<number> {
  const result = await db.raw(
    `INSERT INTO notices (id, profile_id, content, rendered, is_local, in_reply_to, conversation_id, source)
     VALUES (nextval('notices_id_seq'), :profileId, :content, :rendered, :isLocal, :inReplyTo,
             coalesce(:conversationId, currval('notices_id_seq')), :source)
     RETURNING id`,
    { ...notice },
  );
  return (result.rows[0] as { id: number }).id;
}

/** Records the tags of a notice. */
export async function insertNoticeTags(db: Knex, noticeId: number, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  await db('notice_tags').insert(tags.map((tag) => ({ tag, notice_id: noticeId }))).onConflict().ignore();
}

/** Replaces a notice's hashtags (after an edit). */
export async function replaceNoticeTags(db: Knex, noticeId: number, tags: readonly string[]): Promise<void> {
  await db('notice_tags').where({ notice_id: noticeId }).delete();
  await insertNoticeTags(db, noticeId, tags);
}

/** Records the profiles a notice mentions. */
export async function insertMentions(db: Knex, noticeId: number, profileIds: readonly number[]): Promise<void> {
  if (profileIds.length === 0) return;
  await db('mentions').insert(profileIds.map((id) => ({ profile_id: id, notice_id: noticeId }))).onConflict().ignore();
}

/** The notice with its author, or undefined. */
export async function getNoticeById(db: Knex, id: number): Promise<NoticeRecord | undefined> {
  const row = await db('notices as n').join('profiles as p', 'p.id', 'n.profile_id').select(NOTICE_COLUMNS).where('n.id', id).first();
  return row ? toNoticeRecord(row) : undefined;
}

/** The id of a profile's newest notice of their own (not a repeat), or undefined. */
export async function getLatestNoticeIdOfProfile(db: Knex, profileId: number): Promise<number | undefined> {
  const row = await db('notices').where({ profile_id: profileId }).whereNull('repeat_of').orderBy('id', 'desc').first('id');
  return row ? (row as { id: number }).id : undefined;
}

/** Deletes a notice; its tags, mentions and home-timeline entries go with it. */
export async function deleteNoticeById(db: Knex, id: number): Promise<boolean> {
  return (await db('notices').where({ id }).delete()) > 0;
}

/** The profiles a notice addressed: those it mentions and the author of the notice it answers. */
export async function listAddressedProfileIds(db: Knex, noticeId: number): Promise<number[]> {
  const result = await db.raw(
    `SELECT profile_id FROM mentions WHERE notice_id = :id
     UNION SELECT parent.profile_id FROM notices n JOIN notices parent ON parent.id = n.in_reply_to WHERE n.id = :id`,
    { id: noticeId },
  );
  return (result.rows as { profile_id: number | string }[]).map((row) => Number(row.profile_id));
}

/** Makes a notice's mentions exactly these profiles (after an edit); returns those newly mentioned. */
export async function replaceMentions(db: Knex, noticeId: number, profileIds: readonly number[]): Promise<number[]> {
  const ids = [...new Set(profileIds)];
  const dropped = db('mentions').where({ notice_id: noticeId });
  if (ids.length > 0) dropped.whereNotIn('profile_id', ids);
  await dropped.delete();
  if (ids.length === 0) return [];
  const added = await db('mentions')
    .insert(ids.map((id) => ({ profile_id: id, notice_id: noticeId })))
    .onConflict()
    .ignore()
    .returning('profile_id');
  return added.map((row: { profile_id: number | string }) => Number(row.profile_id));
}
