// Full-text search of notices and trigram search of people, each an index scan.
import type { Knex } from 'knex';
import { NOTICE_COLUMNS, toNoticeRecord, toProfileRecord } from './records.ts';
import type { NoticeRecord, ProfileRecord } from './records.ts';
import { publicAuthorsOnly } from './timelines.ts';
import type { PageRequest } from './timelines.ts';

// Both expressions must stay exactly as the indexes in the search migration define them.
const NOTICE_VECTOR = "to_tsvector('simple', n.content)";
const PROFILE_NAMES = "(p.nickname || ' ' || coalesce(p.fullname, ''))";

/** Whether the text, read as a web search, has a word an index can look up (not only -excluded ones). */
export async function isIndexableNoticeQuery(db: Knex, text: string): Promise<boolean> {
  const result = await db.raw(`SELECT querytree(websearch_to_tsquery('simple', ?)) AS tree`, [text]);
  const tree = (result.rows[0] as { tree: string }).tree;
  return tree !== '' && tree !== 'T';
}

/** The query builder of notices matching a web-search text (quotes, or, -word), without paging. */
export function noticeSearchQuery(db: Knex, text: string): Knex.QueryBuilder {
  // Repeats carry their original's text: the original is the one found.
  return db('notices as n').whereRaw(`${NOTICE_VECTOR} @@ websearch_to_tsquery('simple', ?)`, [text]).whereNull('n.repeat_of');
}

/** Notices matching a web-search text, newest first, but those of silenced and suspended people. */
export async function searchNotices(db: Knex, text: string, page: PageRequest): Promise<NoticeRecord[]> {
  const query = publicAuthorsOnly(noticeSearchQuery(db, text).join('profiles as p', 'p.id', 'n.profile_id'));
  if (page.before !== undefined) query.where('n.id', '<', page.before);
  const rows = await query.select(NOTICE_COLUMNS).orderBy('n.id', 'desc').limit(page.limit);
  return rows.map(toNoticeRecord);
}

/** How a people search matches: anywhere in the names, or at the start of a word of them. */
export type NameMatch = { mode: 'substring' | 'word-prefix'; text: string };

/** Escapes LIKE's wildcards and its escape character, so the text matches only itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Profiles (local and remote) whose nickname or full name matches, newest first; suspended people are left out. */
export async function searchProfiles(db: Knex, match: NameMatch, page: PageRequest): Promise<ProfileRecord[]> {
  const escaped = escapeLike(match.text);
  const query = db('profiles as p').whereNull('p.suspended_at');
  // Trigram indexes need three characters in a row, or a word start: "al" alone would read the whole index.
  if (match.mode === 'substring') query.whereRaw(`${PROFILE_NAMES} ILIKE ?`, [`%${escaped}%`]);
  else query.where((q) => q.whereRaw(`${PROFILE_NAMES} ILIKE ?`, [`${escaped}%`]).orWhereRaw(`${PROFILE_NAMES} ILIKE ?`, [`% ${escaped}%`]));
  // A safety net for databases whose locale sees no word in the text: then nothing is read at all.
  query.whereRaw('cardinality(show_trgm(?)) > 0', [match.text]);
  if (page.before !== undefined) query.where('p.id', '<', page.before);
  const rows = await query.select('p.*').orderBy('p.id', 'desc').limit(page.limit);
  return rows.map(toProfileRecord);
}
