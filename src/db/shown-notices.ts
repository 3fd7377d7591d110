// What a list of notices shows: each notice itself, or for a repeat the notice it repeats, and
// whether the viewer favorited or repeated each. The listed notices are already read: a page needs
// the originals of its repeats (only when it has any) and the viewer's marks (only when signed
// in), each one prepared statement for the whole page, by primary keys.
import type { Knex } from 'knex';
import { NOTICE_COLUMNS_SQL, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';
import { prepareSql, runPrepared } from './prepared.ts';

// A repeat of a suspended person's notice shows nothing: their notices are left out here.
const ORIGINALS = prepareSql(
  `SELECT ${NOTICE_COLUMNS_SQL} FROM notices n JOIN profiles p ON p.id = n.profile_id WHERE n.id = ANY($1::bigint[]) AND p.suspended_at IS NULL`,
  ['ids'],
);

const MARKS = prepareSql(
  `SELECT s.id,
     EXISTS (SELECT 1 FROM favorites f WHERE f.profile_id = $1 AND f.notice_id = s.id) AS favorited,
     EXISTS (SELECT 1 FROM notices r WHERE r.repeat_of = s.id AND r.profile_id = $1) AS repeated
   FROM unnest($2::bigint[]) AS s (id)`,
  ['owner', 'ids'],
);

/** The notices with these ids, but those of suspended people. */
export async function listOriginalNotices(db: Knex, ids: readonly number[]): Promise<NoticeRecord[]> {
  if (ids.length === 0) return [];
  return (await runPrepared(db, ORIGINALS, { ids })).map(toNoticeRecord);
}

export type ViewerMarks = { favorited: boolean; repeated: boolean };

/** Whether the viewer favorited and repeated each of these notices. */
export async function listViewerMarks(db: Knex, viewerId: number, ids: readonly number[]): Promise<Map<number, ViewerMarks>> {
  if (ids.length === 0) return new Map();
  const rows = await runPrepared(db, MARKS, { owner: viewerId, ids });
  return new Map(rows.map((row) => [Number(row.id), { favorited: row.favorited === true, repeated: row.repeated === true }]));
}
