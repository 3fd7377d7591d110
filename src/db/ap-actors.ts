// Remote ActivityPub actors: where to deliver to each remote profile that speaks ActivityPub.
import type { Knex } from 'knex';
import { toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';

export type ApActorRecord = { profileId: number; actorId: string; inboxUrl: string; sharedInboxUrl: string | null; handle: string | null };

function toRecord(row: Record<string, unknown>): ApActorRecord {
  return {
    profileId: Number(row.profile_id),
    actorId: row.actor_id as string,
    inboxUrl: row.inbox_url as string,
    sharedInboxUrl: (row.shared_inbox_url as string | null) ?? null,
    handle: (row.handle as string | null) ?? null,
  };
}

/** Records (or refreshes) the delivery addresses of a remote actor's profile. */
export async function upsertApActor(db: Knex, actor: ApActorRecord): Promise<void> {
  await db('ap_actors')
    .insert({ profile_id: actor.profileId, actor_id: actor.actorId, inbox_url: actor.inboxUrl, shared_inbox_url: actor.sharedInboxUrl, handle: actor.handle })
    .onConflict('profile_id')
    .merge({ inbox_url: actor.inboxUrl, shared_inbox_url: actor.sharedInboxUrl, handle: actor.handle, updated_at: db.fn.now() });
}

/** The remote actor with this id, or undefined. */
export async function getApActorById(db: Knex, actorId: string): Promise<ApActorRecord | undefined> {
  const row = await db('ap_actors').where({ actor_id: actorId }).first();
  return row ? toRecord(row) : undefined;
}

/** The remote actor with this id and its profile, read in one query (an inbox's every Create needs both), or undefined. */
export async function getApActorWithProfile(db: Knex, actorId: string): Promise<(ApActorRecord & { profile: ProfileRecord }) | undefined> {
  const row = await db('ap_actors as a')
    .join('profiles as p', 'p.id', 'a.profile_id')
    .where('a.actor_id', actorId)
    .first('p.*', 'a.profile_id', 'a.actor_id', 'a.inbox_url', 'a.shared_inbox_url', 'a.handle');
  return row ? { ...toRecord(row), profile: toProfileRecord(row) } : undefined;
}

/** The ActivityPub details of a remote profile, or undefined when it does not speak ActivityPub. */
export async function getApActorByProfileId(db: Knex, profileId: number): Promise<ApActorRecord | undefined> {
  const row = await db('ap_actors').where({ profile_id: profileId }).first();
  return row ? toRecord(row) : undefined;
}

export type CollectionMember = { profileId: number; isLocal: boolean; nickname: string; actorId: string | null };

/**
 * One page of the people who follow (`followers`) or are followed by (`following`) a local profile,
 * by descending profile id: local people and remote ActivityPub actors (OMB-only ones have no actor id).
 */
export async function listActorCollection(
  db: Knex,
  profileId: number,
  direction: 'followers' | 'following',
  page: { before: number | undefined; limit: number },
): Promise<CollectionMember[]> {
  const [mine, theirs] = direction === 'followers' ? ['s.subscribed_id', 's.subscriber_id'] : ['s.subscriber_id', 's.subscribed_id'];
  const query = db('subscriptions as s')
    .join('profiles as p', 'p.id', theirs)
    .leftJoin('ap_actors as a', 'a.profile_id', theirs)
    .where(mine, profileId)
    .where((where) => where.where('p.is_local', true).orWhereNotNull('a.actor_id'));
  if (page.before !== undefined) query.where(theirs, '<', page.before);
  const rows = await query.select(`${theirs} as id`, 'p.is_local', 'p.nickname', 'a.actor_id').orderBy(theirs, 'desc').limit(page.limit);
  return rows.map((row) => ({ profileId: Number(row.id), isLocal: row.is_local as boolean, nickname: row.nickname as string, actorId: (row.actor_id as string | null) ?? null }));
}

/** Where to deliver to these profiles: one inbox per server, for those that speak ActivityPub. */
export async function listInboxesOfProfiles(db: Knex, profileIds: readonly number[]): Promise<string[]> {
  if (profileIds.length === 0) return [];
  const rows = await db('ap_actors').whereIn('profile_id', profileIds).distinct(db.raw('coalesce(shared_inbox_url, inbox_url) AS inbox')).orderBy('inbox');
  return rows.map((row: { inbox: string }) => row.inbox);
}

/** Where to deliver to a local profile's ActivityPub followers: one inbox per server (its shared inbox when it has one). */
/** Whether this site knows any remote ActivityPub actor at all. */
export async function knowsApActors(db: Knex): Promise<boolean> {
  return (await db('ap_actors').first('profile_id')) !== undefined;
}

export async function listFollowerInboxes(db: Knex, profileId: number): Promise<string[]> {
  const rows = await db('subscriptions as s')
    .join('ap_actors as a', 'a.profile_id', 's.subscriber_id')
    .where('s.subscribed_id', profileId)
    .distinct(db.raw('coalesce(a.shared_inbox_url, a.inbox_url) AS inbox'))
    .orderBy('inbox');
  return rows.map((row: { inbox: string }) => row.inbox);
}

/** Remote profiles known by these (lower-case) user@host handles, each with the handle it answers to. */
export async function listProfilesByHandles(db: Knex, handles: readonly string[]): Promise<{ handle: string; profile: ProfileRecord }[]> {
  if (handles.length === 0) return [];
  const rows = await db('ap_actors as a')
    .join('profiles as p', 'p.id', 'a.profile_id')
    .whereRaw('lower(a.handle) = ANY(?::text[])', [handles.map((h) => h.toLowerCase())])
    .select('p.*', db.raw('lower(a.handle) AS known_handle'));
  return rows.map((row: Record<string, unknown>) => ({ handle: row.known_handle as string, profile: toProfileRecord(row) }));
}

export type MentionedActor = { profileId: number; isLocal: boolean; nickname: string; actorId: string | null; inboxUrl: string | null; sharedInboxUrl: string | null; handle: string | null };

