// Subscriptions, local or across servers: who reads whom, and what that does to home timelines.
// Every subscription starts and ends through addSubscription and endSubscription, whatever
// brought it (a form here, a protocol), so rules about who may follow whom live there once.
import { NotFoundError, ValidationError } from '../errors.ts';
import { backfillHome, removeProfileFromHome } from '../db/home-timelines.ts';
import { getLocalProfileByNickname, countProfileStats } from '../db/profiles.ts';
import type { ProfileCounts } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { deleteSubscription, insertSubscription, isSubscribed, listSubscribers, listSubscriptions } from '../db/subscriptions.ts';
import { getUserById } from '../db/users.ts';
import type { Db, DomainContext } from './context.ts';
import { queueSubscriberNotification } from './email-notifications.ts';
import { normalizeNickname } from './nicknames.ts';
import { readKeysetPage } from './paging.ts';
import { checkNotSuspended } from './visibility.ts';
import { checkMaySubscribe } from './subscription-rules.ts';

// How many of a newly followed person's notices (that we hold) appear on a local follower's home timeline at once.
const BACKFILL_NOTICES = 40;

/**
 * Records a subscription (local or remote people, either way round): a local subscriber's home
 * timeline gets the backfill, a local user subscribed to may be told by email. Throws
 * SubscriptionRefusedError (403) when a block, a suspension or a blocked server forbids it.
 */
export async function addSubscription(ctx: DomainContext, db: Db, subscriberId: number, subscribedId: number): Promise<void> {
  if (subscriberId === subscribedId) throw new ValidationError({ nickname: 'You cannot subscribe to yourself.' });
  await checkMaySubscribe(db, subscriberId, subscribedId);
  const added = await insertSubscription(db, subscriberId, subscribedId);
  if (!added) return;
  if (await getUserById(db, subscriberId)) await backfillHome(db, subscriberId, subscribedId, BACKFILL_NOTICES);
  await queueSubscriberNotification(ctx, db, subscriberId, subscribedId);
}

/** Ends a subscription (and clears a local subscriber's home timeline of that profile); false when there was none. */
export async function endSubscription(db: Db, subscriberId: number, subscribedId: number): Promise<boolean> {
  const removed = await deleteSubscription(db, subscriberId, subscribedId);
  if (removed) await removeProfileFromHome(db, subscriberId, subscribedId);
  return removed;
}

async function targetProfile(ctx: DomainContext, rawNickname: string): Promise<ProfileRecord> {
  const nickname = normalizeNickname(rawNickname);
  if (nickname === '') throw new ValidationError({ nickname: 'Say whom to subscribe to.' });
  const profile = await getLocalProfileByNickname(ctx.db, nickname);
  if (!profile) throw new NotFoundError(`There is nobody called “${nickname}” here.`);
  checkNotSuspended(profile);
  return profile;
}

/** Subscribes a local user to a local profile and backfills their home timeline. */
export async function subscribe(ctx: DomainContext, userId: number, nickname: string): Promise<ProfileRecord> {
  const target = await targetProfile(ctx, nickname);
  await ctx.db.transaction((trx) => addSubscription(ctx, trx, userId, target.id));
  return target;
}

/** Ends a subscription and takes that person's notices off the user's home timeline. */
export async function unsubscribe(ctx: DomainContext, userId: number, nickname: string): Promise<ProfileRecord> {
  const target = await targetProfile(ctx, nickname);
  await ctx.db.transaction((trx) => endSubscription(trx, userId, target.id));
  return target;
}

/** Whether the viewer subscribes to the profile (false for nobody signed in). */
export function viewerSubscribes(ctx: DomainContext, viewerId: number | undefined, profileId: number): Promise<boolean> {
  if (viewerId === undefined || viewerId === profileId) return Promise.resolve(false);
  return isSubscribed(ctx.db, viewerId, profileId);
}

export type PeoplePage = {
  profile: ProfileRecord;
  counts: ProfileCounts;
  people: ProfileRecord[];
  olderBefore: number | undefined;
};

async function peoplePage(
  ctx: DomainContext,
  nickname: string,
  before: number | undefined,
  list: typeof listSubscriptions,
): Promise<PeoplePage> {
  const profile = await getLocalProfileByNickname(ctx.db, nickname);
  if (!profile) throw new NotFoundError(`There is nobody called “${nickname}” here.`);
  checkNotSuspended(profile);
  const [counts, page] = await Promise.all([
    countProfileStats(ctx.db, profile.id),
    readKeysetPage(before, (p) => list(ctx.db, profile.id, p), (person) => person.id, 'There is nobody further in this list.'),
  ]);
  return { profile, counts, people: page.items, olderBefore: page.olderBefore };
}

/** The people a local user subscribes to. */
export function subscriptionsOf(ctx: DomainContext, nickname: string, before: number | undefined): Promise<PeoplePage> {
  return peoplePage(ctx, nickname, before, listSubscriptions);
}

/** The people who subscribe to a local user. */
export function subscribersOf(ctx: DomainContext, nickname: string, before: number | undefined): Promise<PeoplePage> {
  return peoplePage(ctx, nickname, before, listSubscribers);
}
