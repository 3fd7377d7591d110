// Who subscribes to whom.
import type { Knex } from 'knex';
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
export async function isSubscribed(db: Knex, subscriberId: number, subscribedId: number): Promise<boolean> {
  const row = await db('subscriptions').where({ subscriber_id: subscriberId, subscribed_id: subscribedId }).first('subscriber_id');
  return row !== undefined;
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
