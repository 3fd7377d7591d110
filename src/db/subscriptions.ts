// Who subscribes to whom.
import type { Knex } from 'knex';
import { prepareSql, runPrepared } from './prepared.ts';
import { toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';

/** Adds a subscription; false when it already existed. */
export async function insertSubscription(db: Knex, subscriberId: number, subscribedId: number): Promise<boolean> {
  const rows = await db('subscriptions')
    .insert({ subscriber_id: subscriberId, subscribed_id: subscribedId })
    .onConflict(['subscriber_id', 'subscribed_id'])
    .ignore()
    .returning('subscriber_id');
  return rows.length > 0;
}

/** Removes a subscription; false when there was none. */
export async function deleteSubscription(db: Knex, subscriberId: number, subscribedId: number): Promise<boolean> {
  return (await db('subscriptions').where({ subscriber_id: subscriberId, subscribed_id: subscribedId }).delete()) > 0;
}

/** Whether subscriberId subscribes to subscribedId. */
// Asked twice by every profile page a signed-in person views (do they subscribe, and to them?).
const SUBSCRIBED = prepareSql('SELECT 1 FROM subscriptions WHERE subscriber_id = $1 AND subscribed_id = $2', ['owner', 'other']);

export async function isSubscribed(db: Knex, subscriberId: number, subscribedId: number): Promise<boolean> {
  return (await runPrepared(db, SUBSCRIBED, { owner: subscriberId, other: subscribedId })).length > 0;
}

type PeoplePage = { before: number | undefined; limit: number };

/** Profiles that `profileId` subscribes to, by descending profile id (suspended people left out). */
export async function listSubscriptions(db: Knex, profileId: number, page: PeoplePage): Promise<ProfileRecord[]> {
  const query = db('subscriptions as s').join('profiles as p', 'p.id', 's.subscribed_id').where('s.subscriber_id', profileId).whereNull('p.suspended_at');
  if (page.before !== undefined) query.where('s.subscribed_id', '<', page.before);
  const rows = await query.select('p.*').orderBy('s.subscribed_id', 'desc').limit(page.limit);
  return rows.map(toProfileRecord);
}

/** Profiles that subscribe to `profileId`, by descending profile id (suspended people left out). */
export async function listSubscribers(db: Knex, profileId: number, page: PeoplePage): Promise<ProfileRecord[]> {
  const query = db('subscriptions as s').join('profiles as p', 'p.id', 's.subscriber_id').where('s.subscribed_id', profileId).whereNull('p.suspended_at');
  if (page.before !== undefined) query.where('s.subscriber_id', '<', page.before);
  const rows = await query.select('p.*').orderBy('s.subscriber_id', 'desc').limit(page.limit);
  return rows.map(toProfileRecord);
}

/** A profile related to another by a subscription, and which way: 'subscribed' (it follows them) or 'subscriber' (they follow it). */
export type RelatedProfile = { profile: ProfileRecord; relation: 'subscribed' | 'subscriber' };

/**
 * The profiles with one of these (lower-case) nicknames that `profileId` subscribes to or that
 * subscribe to it: those it subscribes to first, then its subscribers, most recent subscription
 * first within each. One query, both directions through the primary key and subscriptions_subscribed.
 */
export async function listRelatedByNicknames(db: Knex, profileId: number, nicknames: readonly string[]): Promise<RelatedProfile[]> {
  if (nicknames.length === 0) return [];
  const lowered = nicknames.map((n) => n.toLowerCase());
  const subscribed = db('subscriptions as s')
    .join('profiles as p', 'p.id', 's.subscribed_id')
    .where('s.subscriber_id', profileId)
    .whereRaw('lower(p.nickname) = ANY(?::text[])', [lowered])
    .select('p.*', db.raw("'subscribed' as relation"), 's.created_at as related_at');
  const subscribers = db('subscriptions as s')
    .join('profiles as p', 'p.id', 's.subscriber_id')
    .where('s.subscribed_id', profileId)
    .whereRaw('lower(p.nickname) = ANY(?::text[])', [lowered])
    .select('p.*', db.raw("'subscriber' as relation"), 's.created_at as related_at');
  const rows = await db
    .select('*')
    .from(subscribed.unionAll(subscribers, true).as('r'))
    .orderByRaw("relation = 'subscribed' DESC, related_at DESC, id DESC");
  return rows.map((row: Record<string, unknown>) => ({ profile: toProfileRecord(row), relation: row.relation as RelatedProfile['relation'] }));
}

/** Whether any local user subscribes to this profile. */
export async function hasLocalSubscribers(db: Knex, profileId: number): Promise<boolean> {
  const row = await db('subscriptions as s').join('users as u', 'u.id', 's.subscriber_id').where('s.subscribed_id', profileId).first(db.raw('1 AS found'));
  return row !== undefined;
}
