// What a list of notices shows: each notice itself, or for a repeat the notice it repeats, with
// whether the viewer favorited or repeated it. One query for a whole page, by primary keys.
import type { Knex } from 'knex';
import { NOTICE_COLUMNS_SQL, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';

export type ShownRow = { listedId: number; notice: NoticeRecord; favorited: boolean; repeated: boolean };

// l is the listed notice, n the one shown; a repeat of a suspended person's notice shows nothing.
const SHOWN = `
  SELECT l.id AS listed_id, ${NOTICE_COLUMNS_SQL},
    EXISTS (SELECT 1 FROM favorites f WHERE f.profile_id = :viewer AND f.notice_id = n.id) AS viewer_favorited,
    EXISTS (SELECT 1 FROM notices r WHERE r.repeat_of = n.id AND r.profile_id = :viewer) AS viewer_repeated
  FROM notices l
  JOIN notices n ON n.id = coalesce(l.repeat_of, l.id)
  JOIN profiles p ON p.id = n.profile_id
  WHERE l.id = ANY(:ids::bigint[]) AND p.suspended_at IS NULL`;

/** For these listed notice ids: the notice each shows and the viewer's marks on it (viewer 0: nobody). */
export async function listShownNotices(db: Knex, viewerId: number, ids: readonly number[]): Promise<ShownRow[]> {
  if (ids.length === 0) return [];
  // An array literal: ids are integers, and one text parameter keeps the statement's shape fixed.
  const result = await db.raw(SHOWN, { viewer: viewerId, ids: `{${ids.map((id) => Math.trunc(id)).join(',')}}` });
  return (result.rows as Record<string, unknown>[]).map((row) => ({
    listedId: Number(row.listed_id),
    notice: toNoticeRecord(row),
    favorited: row.viewer_favorited === true,
    repeated: row.viewer_repeated === true,
  }));
}
