// Timeline queries: every list is one keyset index scan joined with the authors, newest first.
import type { Knex } from 'knex';
import { NOTICE_COLUMNS, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';

export type PageRequest = { before: number | undefined; limit: number };

function withAuthors(query: Knex.QueryBuilder, idColumn: string, page: PageRequest): Promise<NoticeRecord[]> {
  if (page.before !== undefined) query.where(idColumn, '<', page.before);
  return query
    .join('profiles as p', 'p.id', 'n.profile_id')
    .select(NOTICE_COLUMNS)
    .orderBy(idColumn, 'desc')
    .limit(page.limit)
    .then((rows: Record<string, unknown>[]) => rows.map(toNoticeRecord));
}

/** Keeps silenced and suspended people's notices off a public list (the author is joined as p). */
export function publicAuthorsOnly(query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query.whereNull('p.silenced_at').whereNull('p.suspended_at');
}

/** Keeps suspended people's notices off a list (the author is joined as p). */
function unsuspendedAuthors(query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query.whereNull('p.suspended_at');
}

/** Every local notice, but those of silenced and suspended people. */
export function listPublicNotices(db: Knex, page: PageRequest): Promise<NoticeRecord[]> {
  return withAuthors(publicAuthorsOnly(db('notices as n').where('n.is_local', true)), 'n.id', page);
}

/** The notices a profile wrote. */
export function listProfileNotices(db: Knex, profileId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return withAuthors(db('notices as n').where('n.profile_id', profileId), 'n.id', page);
}

/** A user's home timeline, as fanned out on write. */
export function listHomeNotices(db: Knex, userId: number, page: PageRequest): Promise<NoticeRecord[]> {
  const query = db('home_timeline_entries as h').join('notices as n', 'n.id', 'h.notice_id').where('h.user_id', userId);
  return withAuthors(unsuspendedAuthors(query), 'h.notice_id', page);
}

/** Notices that mention a profile. */
export function listMentionNotices(db: Knex, profileId: number, page: PageRequest): Promise<NoticeRecord[]> {
  const query = db('mentions as m').join('notices as n', 'n.id', 'm.notice_id').where('m.profile_id', profileId);
  return withAuthors(unsuspendedAuthors(query), 'm.notice_id', page);
}

/** Notices carrying a tag, but those of silenced and suspended people. */
export function listTagNotices(db: Knex, tag: string, page: PageRequest): Promise<NoticeRecord[]> {
  const query = db('notice_tags as t').join('notices as n', 'n.id', 't.notice_id').where('t.tag', tag);
  return withAuthors(publicAuthorsOnly(query), 't.notice_id', page);
}

/** The notices of a conversation, oldest first (threads are read top-down). */
export async function listConversationNotices(db: Knex, conversationId: number, limit: number): Promise<NoticeRecord[]> {
  const rows = await db('notices as n')
    .join('profiles as p', 'p.id', 'n.profile_id')
    .select(NOTICE_COLUMNS)
    .where('n.conversation_id', conversationId)
    .whereNull('p.suspended_at')
    .orderBy('n.id', 'asc')
    .limit(limit);
  return rows.map(toNoticeRecord);
}
