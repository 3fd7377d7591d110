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

/** Every local notice. */
export function listPublicNotices(db: Knex, page: PageRequest): Promise<NoticeRecord[]> {
  return withAuthors(db('notices as n').where('n.is_local', true), 'n.id', page);
}

/** The notices a profile wrote. */
export function listProfileNotices(db: Knex, profileId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return withAuthors(db('notices as n').where('n.profile_id', profileId), 'n.id', page);
}

// A page of a list kept in a side table (home timeline, mentions, tags): its newest ids first, in
// a subquery with its own LIMIT, then the notices and authors for just those. Joined directly,
// Postgres may merge-join the whole list with every notice, newest first: for a reader whose
// entries are all old (someone following a few quiet accounts) that read a million notices a page.
function sideTablePage(db: Knex, table: string, ownerColumn: string, owner: number | string, page: PageRequest): Promise<NoticeRecord[]> {
  const ids = db(table).select('notice_id').where(ownerColumn, owner).orderBy('notice_id', 'desc').limit(page.limit);
  if (page.before !== undefined) ids.where('notice_id', '<', page.before);
  return db
    .from(ids.as('l'))
    .join('notices as n', 'n.id', 'l.notice_id')
    .join('profiles as p', 'p.id', 'n.profile_id')
    .select(NOTICE_COLUMNS)
    .orderBy('l.notice_id', 'desc')
    .then((rows: Record<string, unknown>[]) => rows.map(toNoticeRecord));
}

/** A user's home timeline, as fanned out on write. */
export function listHomeNotices(db: Knex, userId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return sideTablePage(db, 'home_timeline_entries', 'user_id', userId, page);
}

/** Notices that mention a profile. */
export function listMentionNotices(db: Knex, profileId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return sideTablePage(db, 'mentions', 'profile_id', profileId, page);
}

/** Notices carrying a tag. */
export function listTagNotices(db: Knex, tag: string, page: PageRequest): Promise<NoticeRecord[]> {
  return sideTablePage(db, 'notice_tags', 'tag', tag, page);
}

/** The notices of a conversation, oldest first (threads are read top-down). */
export async function listConversationNotices(db: Knex, conversationId: number, limit: number): Promise<NoticeRecord[]> {
  const rows = await db('notices as n')
    .join('profiles as p', 'p.id', 'n.profile_id')
    .select(NOTICE_COLUMNS)
    .where('n.conversation_id', conversationId)
    .orderBy('n.id', 'asc')
    .limit(limit);
  return rows.map(toNoticeRecord);
}
