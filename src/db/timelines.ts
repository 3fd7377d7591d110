// Timeline queries: every list is one keyset index scan joined with the authors, newest first,
// its SQL written once at start-up (prepared.ts): these run on every page view.
import type { Knex } from 'knex';
import { NOTICE_COLUMNS, toNoticeRecord } from './records.ts';
import type { NoticeRecord } from './records.ts';
import { prepare, runPrepared } from './prepared.ts';
import type { Statement } from './prepared.ts';

export type PageRequest = { before: number | undefined; limit: number };

// Each list in two forms, first page and older pages, built once (see prepared.ts).
function pair(build: (db: Knex, v: { owner: number; before: number; limit: number }, older: boolean) => Knex.QueryBuilder): [Statement, Statement] {
  return [prepare((db, v) => build(db, v, false)), prepare((db, v) => build(db, v, true))];
}

function run(db: Knex, statements: [Statement, Statement], owner: number | string | undefined, page: PageRequest): Promise<NoticeRecord[]> {
  const statement = statements[page.before === undefined ? 0 : 1];
  return runPrepared(db, statement, { owner, before: page.before, limit: page.limit }).then((rows) => rows.map(toNoticeRecord));
}

/** Keeps silenced and suspended people's notices off a public list (the author is joined as p). */
export function publicAuthorsOnly(query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query.whereNull('p.silenced_at').whereNull('p.suspended_at');
}

// A keyset page of notices joined with their authors.
function ownList(where: (query: Knex.QueryBuilder, owner: number) => Knex.QueryBuilder): [Statement, Statement] {
  return pair((db, v, older) => {
    const query = where(db('notices as n'), v.owner);
    if (older) query.where('n.id', '<', v.before);
    return query.join('profiles as p', 'p.id', 'n.profile_id').select(NOTICE_COLUMNS).orderBy('n.id', 'desc').limit(v.limit);
  });
}

const PUBLIC = ownList((query) => publicAuthorsOnly(query.whereRaw('n.is_local').whereNull('n.repeat_of'))); // a repeat shows a notice already here
// The notices and authors of a page whose ids a subquery read first (newest first, with its own LIMIT).
function noticesOfIds(db: Knex, ids: Knex.QueryBuilder, idColumn: string): Knex.QueryBuilder {
  return db.from(ids.as('l')).join('notices as n', 'n.id', `l.${idColumn}`).join('profiles as p', 'p.id', 'n.profile_id').select(NOTICE_COLUMNS).orderBy(`l.${idColumn}`, 'desc');
}

// A person's notices: their ids first, from notices_by_profile alone (an index-only scan), then the
// notices and author for just those. Asked for the whole rows at once, Postgres walked the primary
// key backwards and filtered by author for a prolific writer (1,700 rows read for a page of 21 of
// the popular user's) and planned the query afresh for each of them.
const PROFILE = pair((db, v, older) => {
  const ids = db('notices').select('id').where('profile_id', v.owner).orderBy('id', 'desc').limit(v.limit);
  if (older) ids.where('id', '<', v.before);
  return noticesOfIds(db, ids, 'id');
});

/** Every local notice, but repeats and those of silenced and suspended people. */
export function listPublicNotices(db: Knex, page: PageRequest): Promise<NoticeRecord[]> {
  return run(db, PUBLIC, undefined, page);
}

/** The notices a profile wrote. */
export function listProfileNotices(db: Knex, profileId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return run(db, PROFILE, profileId, page);
}

// A page of a list kept in a side table (home timeline, mentions, tags): its newest ids first, in
// a subquery with its own LIMIT, then the notices and authors for just those. Joined directly,
// Postgres may merge-join the whole list with every notice, newest first: for a reader whose
// entries are all old (someone following a few quiet accounts) that read a million notices a page.
// Moderated authors are left out inside the subquery, so that a page still has its full length:
// a lookup per entry read, and nearly always none is hidden. A person's own lists also leave out
// the people they block or mute, and repeats of their notices (one more primary-key lookup per
// entry, two for a repeat).
function sideTable(table: string, ownerColumn: string, hide: 'suspended' | 'silenced-or-suspended', ownersBlocks = false): [Statement, Statement] {
  return pair((db, v, older) => {
    const ids = db(table).select('notice_id').where(ownerColumn, v.owner).orderBy('notice_id', 'desc').limit(v.limit);
    if (older) ids.where('notice_id', '<', v.before);
    const blocked = db('blocks as hb').where('hb.blocker_id', v.owner).whereRaw('hb.blocked_id = hn.profile_id').select(db.raw('1'));
    // Someone else's repeat of a hidden person's notice is hidden too.
    const repeatsBlocked = db('notices as rn').join('blocks as rb', 'rb.blocked_id', 'rn.profile_id').whereRaw('rn.id = hn.repeat_of').where('rb.blocker_id', v.owner).select(db.raw('1'));
    ids.whereNotExists(
      db('notices as hn')
        .join('profiles as hp', 'hp.id', 'hn.profile_id')
        .whereRaw(`hn.id = ${table}.notice_id`)
        .andWhere((q) => {
          q.whereNotNull('hp.suspended_at');
          if (hide === 'silenced-or-suspended') q.orWhereNotNull('hp.silenced_at');
          if (ownersBlocks) q.orWhereExists(blocked).orWhere((r) => r.whereNotNull('hn.repeat_of').whereExists(repeatsBlocked));
        })
        .select(db.raw('1')),
    );
    return noticesOfIds(db, ids, 'notice_id');
  });
}

const HOME = sideTable('home_timeline_entries', 'user_id', 'suspended', true);
const MENTIONS = sideTable('mentions', 'profile_id', 'suspended', true);
const TAGS = sideTable('notice_tags', 'tag', 'silenced-or-suspended');

/** A user's home timeline, as fanned out on write, without the people they block or mute. */
export function listHomeNotices(db: Knex, userId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return run(db, HOME, userId, page);
}

/** Notices that mention a profile, without those by people it blocks or mutes. */
export function listMentionNotices(db: Knex, profileId: number, page: PageRequest): Promise<NoticeRecord[]> {
  return run(db, MENTIONS, profileId, page);
}

/** Notices carrying a tag, but those of silenced and suspended people. */
export function listTagNotices(db: Knex, tag: string, page: PageRequest): Promise<NoticeRecord[]> {
  return run(db, TAGS, tag, page);
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
