// Local subscriptions: who reads whom, and what that does to home timelines.
import { NotFoundError, ValidationError } from '../errors.ts';
import { backfillHome, removeProfileFromHome } from '../db/home-timelines.ts';
import { getLocalProfileByNickname, countProfileStats } from '../db/profiles.ts';
import type { ProfileCounts } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import { deleteSubscription, insertSubscription, isSubscribed, listSubscribers, listSubscriptions } from '../db/subscriptions.ts';
import type { DomainContext } from './context.ts';
import { queueSubscriberNotification } from './email-notifications.ts';
import { normalizeNickname } from './nicknames.ts';
import { PAGE_SIZE } from './timelines.ts';
import { checkNotSuspended } from './visibility.ts';

// How many of a newly followed person's notices appear on the follower's home timeline at once.
const BACKFILL_NOTICES = 40;

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
  if (target.id === userId) throw new ValidationError({ nickname: 'You cannot subscribe to yourself.' });
  await ctx.db.transaction(async (trx) => {
    if (!(await insertSubscription(trx, userId, target.id))) return;
    await backfillHome(trx, userId, target.id, BACKFILL_NOTICES);
    await queueSubscriberNotification(ctx, trx, userId, target.id);
  });
  return target;
}

/** Ends a subscription and takes that person's notices off the user's home timeline. */
export async function unsubscribe(ctx: DomainContext, userId: number, nickname: string): Promise<ProfileRecord> {
  const target = await targetProfile(ctx, nickname);
  await ctx.db.transaction(async (trx) => {
    if (await deleteSubscription(trx, userId, target.id)) await removeProfileFromHome(trx, userId, target.id);
  });
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
  const [counts, rows] = await Promise.all([
    countProfileStats(ctx.db, profile.id),
    list(ctx.db, profile.id, { before, limit: PAGE_SIZE + 1 }),
  ]);
  const people = rows.slice(0, PAGE_SIZE);
  if (before !== undefined && people.length === 0) throw new NotFoundError('There is nobody further in this list.');
  return { profile, counts, people, olderBefore: rows.length > PAGE_SIZE ? people[people.length - 1]?.id : undefined };
}

/** The people a local user subscribes to. */
export function subscriptionsOf(ctx: DomainContext, nickname: string, before: number | undefined): Promise<PeoplePage> {
  return peoplePage(ctx, nickname, before, listSubscriptions);
}

/** The people who subscribe to a local user. */
export function subscribersOf(ctx: DomainContext, nickname: string, before: number | undefined): Promise<PeoplePage> {
  return peoplePage(ctx, nickname, before, listSubscribers);
}
