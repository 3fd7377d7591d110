// What a feed's validators are computed from: the ids in its window and the latest change to it,
// read in one small indexed query before the entries themselves are loaded.
import type { Knex } from 'knex';
import { noticeSearchQuery } from './search.ts';
import { prepare, runPrepared } from './prepared.ts';

/** The notices a feed lists. */
export type NoticeSet =
  | { kind: 'public' }
  | { kind: 'profile'; profileId: number }
  | { kind: 'mentions'; profileId: number }
  | { kind: 'tag'; tag: string }
  | { kind: 'search'; text: string }
  | { kind: 'favorites'; profileId: number };

export type FeedStamp = {
  /** Ids of the notices in the window, newest first. */
  ids: number[];
  /** Latest of: newest notice, an author's profile change, a deletion or edit that could touch the window. */
  lastModified: Date | undefined;
  /** The database's clock when this was read. */
  now: Date;
};

// The same sets and index orders as the timeline queries (src/db/timelines.ts).
// A favorites feed changes when a favorite is made or taken back: its time is the favorite's, or
// the favoriter's last change of favorites (one taken back leaves no row to date it by).
function setQuery(db: Knex, set: NoticeSet): { query: Knex.QueryBuilder; idColumn: string; changedAt?: Knex.Raw } {
  switch (set.kind) {
    case 'public':
      return { query: db('notices as n').whereRaw('n.is_local').whereNull('n.repeat_of'), idColumn: 'n.id' };
    case 'favorites':
      return {
        query: db('favorites as f').join('notices as n', 'n.id', 'f.notice_id').join('profiles as fp', 'fp.id', 'f.profile_id').where('f.profile_id', set.profileId),
        idColumn: 'f.id',
        changedAt: db.raw('greatest(f.created_at, fp.favorites_changed_at) AS created_at'),
      };
    case 'profile':
      return { query: db('notices as n').where('n.profile_id', set.profileId), idColumn: 'n.id' };
    case 'mentions':
      return { query: db('mentions as m').join('notices as n', 'n.id', 'm.notice_id').where('m.profile_id', set.profileId), idColumn: 'm.notice_id' };
    case 'tag':
      return { query: db('notice_tags as t').join('notices as n', 'n.id', 't.notice_id').where('t.tag', set.tag), idColumn: 't.notice_id' };
    case 'search':
      return { query: noticeSearchQuery(db, set.text), idColumn: 'n.id' };
  }
}

// The stamp query of a set: the window of its newest notices, then their ids and latest change.
function stampQuery(db: Knex, set: NoticeSet, size: number): Knex.QueryBuilder {
  const { query, idColumn, changedAt } = setQuery(db, set);
  const window = query
    .join('profiles as p', 'p.id', 'n.profile_id')
    .select('n.id', changedAt ?? 'n.created_at', 'n.edited_at', 'p.updated_at as author_updated_at')
    .orderBy(idColumn, 'desc')
    .limit(size);
  // A deleted notice at or above the window's oldest id may have been in it (a newer one certainly
  // was, if it belonged to the set); deletions below it cannot change what the feed shows. The same
  // holds for edits that took a notice out of the set (a mention or tag dropped); an edited notice
  // still in the window carries its own edited_at.
  return db
    .with('w', window)
    .from('w')
    .select(
      db.raw(`coalesce(string_agg(w.id::text, ',' ORDER BY w.id DESC), '') AS ids`),
      db.raw(`greatest(max(w.created_at), max(w.edited_at), max(w.author_updated_at),
        (SELECT max(d.deleted_at) FROM notice_deletions d WHERE d.notice_id >= coalesce((SELECT min(id) FROM w), 0)),
        (SELECT max(e.edited_at) FROM notice_edits e WHERE e.notice_id >= coalesce((SELECT min(id) FROM w), 0))) AS last_modified`),
      db.raw('now() AS db_now'),
    );
}

// Every kind of set but searches (whose SQL depends on the words) as a statement prepared once:
// read before every feed request, it was built by knex and planned by Postgres each time.
const STAMPS = {
  public: prepare((db, v) => stampQuery(db, { kind: 'public' }, v.limit)),
  profile: prepare((db, v) => stampQuery(db, { kind: 'profile', profileId: v.owner }, v.limit)),
  mentions: prepare((db, v) => stampQuery(db, { kind: 'mentions', profileId: v.owner }, v.limit)),
  tag: prepare((db, v) => stampQuery(db, { kind: 'tag', tag: v.owner as unknown as string }, v.limit)),
  favorites: prepare((db, v) => stampQuery(db, { kind: 'favorites', profileId: v.owner }, v.limit)),
};

function ownerOf(set: Exclude<NoticeSet, { kind: 'search' }>): number | string | undefined {
  return set.kind === 'public' ? undefined : set.kind === 'tag' ? set.tag : set.profileId;
}

/** The ids and latest change of the newest `size` notices of a set. */
export async function readFeedStamp(db: Knex, set: NoticeSet, size: number): Promise<FeedStamp> {
  const [row] =
    set.kind === 'search'
      ? ((await stampQuery(db, set, size)) as Record<string, unknown>[])
      : await runPrepared(db, STAMPS[set.kind], { owner: ownerOf(set), limit: size });
  const { ids, last_modified: lastModified, db_now: now } = row as { ids: string; last_modified: Date | null; db_now: Date };
  return { ids: ids === '' ? [] : ids.split(',').map(Number), lastModified: lastModified ?? undefined, now };
}

/** Notes that a notice was just edited (its latest edit is what counts). */
export async function logNoticeEdit(db: Knex, noticeId: number): Promise<void> {
  await db.raw('INSERT INTO notice_edits (notice_id) VALUES (?) ON CONFLICT (notice_id) DO UPDATE SET edited_at = now()', [noticeId]);
}

/** Forgets deletions and edits older than `days` days; returns how many were forgotten. */
export async function pruneNoticeDeletions(db: Knex, days: number): Promise<number> {
  const deleted = await db.raw('DELETE FROM notice_deletions WHERE deleted_at < now() - make_interval(days => ?)', [days]);
  const edited = await db.raw('DELETE FROM notice_edits WHERE edited_at < now() - make_interval(days => ?)', [days]);
  return (deleted as { rowCount: number }).rowCount + (edited as { rowCount: number }).rowCount;
}
