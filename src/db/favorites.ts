// Favorites: who favorited which notice, a person's favorites page, and the popular notices.
// The counts and the popularity they feed are kept by triggers (see the favorites migration).
import type { Knex } from 'knex';
import { NOTICE_COLUMNS_SQL, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';
import type { PageRequest } from './timelines.ts';

/** A notice on someone's favorites page, with the favorite's id (the page's cursor). */
export type FavoriteEntry = NoticeRecord & { favoriteId: number };

/** Records a favorite; its id, or undefined when this person already favorited this notice (or the URI is known). */
export async function insertFavorite(db: Knex, favorite: { profileId: number; noticeId: number; uri: string | null }): Promise<number | undefined> {
  const result = await db.raw(
    `INSERT INTO favorites (profile_id, notice_id, uri) VALUES (:profileId, :noticeId, :uri)
     ON CONFLICT DO NOTHING RETURNING id`,
    { ...favorite },
  );
  return (result.rows[0] as { id: number } | undefined)?.id;
}

/** Removes a person's favorite of a notice; its id, or undefined when there was none. */
export async function deleteFavorite(db: Knex, profileId: number, noticeId: number): Promise<number | undefined> {
  const [row] = await db('favorites').where({ profile_id: profileId, notice_id: noticeId }).delete().returning('id');
  return (row as { id: number } | undefined)?.id;
}

/** Removes the favorite another server recorded under this URI, if this profile made it; whether one went. */
export async function deleteFavoriteByUri(db: Knex, profileId: number, uri: string): Promise<boolean> {
  return (await db('favorites').where({ profile_id: profileId, uri }).delete()) > 0;
}

/** Whether this profile favorites this notice. */
export async function hasFavorite(db: Knex, profileId: number, noticeId: number): Promise<boolean> {
  return (await db('favorites').where({ profile_id: profileId, notice_id: noticeId }).first('id')) !== undefined;
}

// The newest favorite ids first, in a subquery with its own LIMIT, then their notices and authors
// (as the side-table timelines do, so the plan is an index scan of favorites_by_profile).
const FAVORITES_PAGE = `
  SELECT l.id AS favorite_id, ${NOTICE_COLUMNS_SQL}
  FROM (
    SELECT f.id, f.notice_id FROM favorites f
    WHERE f.profile_id = :profileId AND f.id < :before
      AND NOT EXISTS (SELECT 1 FROM notices hn JOIN profiles hp ON hp.id = hn.profile_id WHERE hn.id = f.notice_id AND hp.suspended_at IS NOT NULL)
    ORDER BY f.id DESC LIMIT :limit
  ) l
  JOIN notices n ON n.id = l.notice_id
  JOIN profiles p ON p.id = n.profile_id
  ORDER BY l.id DESC`;

// Larger than any id: the first page's cursor.
const NO_CURSOR = '9223372036854775807';

/** A page of the notices a profile favorited, the latest favorite first; suspended people's notices are left out. */
export async function listFavoriteNotices(db: Knex, profileId: number, page: PageRequest): Promise<FavoriteEntry[]> {
  const result = await db.raw(FAVORITES_PAGE, { profileId, before: page.before ?? NO_CURSOR, limit: page.limit });
  return (result.rows as Record<string, unknown>[]).map((row) => ({ ...toNoticeRecord(row), favoriteId: Number(row.favorite_id) }));
}

// Most popular first; ties (and the cursor) by id: one backward scan of notices_popular. The
// cursor is a notice id, whose popularity now is where the next page starts, so the address stays
// an id like every other list's.
function popularPage(older: boolean): string {
  return `
  SELECT ${NOTICE_COLUMNS_SQL}
  FROM notices n
  JOIN profiles p ON p.id = n.profile_id
  WHERE n.popularity IS NOT NULL
    AND p.silenced_at IS NULL AND p.suspended_at IS NULL
    ${older ? 'AND (n.popularity, n.id) < ((SELECT c.popularity FROM notices c WHERE c.id = :before), :before)' : ''}
  ORDER BY n.popularity DESC, n.id DESC
  LIMIT :limit`;
}
const POPULAR_FIRST = popularPage(false);
const POPULAR_OLDER = popularPage(true);

/** A page of the favorited notices, the most popular first (favorites weighted by their age); silenced and suspended people's are left out. */
export async function listPopularNotices(db: Knex, page: PageRequest): Promise<NoticeRecord[]> {
  const result = page.before === undefined ? await db.raw(POPULAR_FIRST, { limit: page.limit }) : await db.raw(POPULAR_OLDER, { before: page.before, limit: page.limit });
  return (result.rows as Record<string, unknown>[]).map(toNoticeRecord);
}

/** Notes that the author has been told of this person's favorite of this notice; false when they already were. */
export async function markFavoriteEmailed(db: Knex, profileId: number, noticeId: number): Promise<boolean> {
  const rows = await db('favorite_emails_sent').insert({ profile_id: profileId, notice_id: noticeId }).onConflict(['notice_id', 'profile_id']).ignore().returning('notice_id');
  return rows.length > 0;
}
