// Who may not subscribe to whom. addSubscription asks this before every subscription, whatever
// brought it (the subscribe button, an OMB authorization, an ActivityPub Follow or Accept).
import { ForbiddenError } from '../errors.ts';
import { findBlockBetween } from '../db/blocks.ts';
import { getProfileById } from '../db/profiles.ts';
import type { ProfileRecord } from '../db/records.ts';
import type { Db } from './context.ts';
import { domainBlockOf } from './domain-blocks.ts';

/** A subscription this site refuses: a block between the two, a suspended person, a suspended server. */
export class SubscriptionRefusedError extends ForbiddenError {}

function nameOf(profile: ProfileRecord): string {
  if (profile.isLocal) return profile.nickname;
  const site = /^https?:\/\/([^/?#]+)/i.exec(profile.profileUrl ?? profile.uri ?? '')?.[1];
  return site ? `${profile.nickname}@${site}` : profile.nickname;
}

/** Throws SubscriptionRefusedError when `subscriberId` may not subscribe to `subscribedId`. */
export async function checkMaySubscribe(db: Db, subscriberId: number, subscribedId: number): Promise<void> {
  const subscriber = await getProfileById(db, subscriberId);
  const subscribed = await getProfileById(db, subscribedId);
  if (!subscriber || !subscribed) return; // nothing to subscribe; the insert's foreign keys say so
  for (const profile of [subscriber, subscribed]) {
    if (profile.suspendedAt) throw new SubscriptionRefusedError(`${nameOf(profile)} is suspended on this site.`);
    if (profile.isLocal) continue;
    const block = await domainBlockOf(db, profile.profileUrl ?? profile.uri);
    if (block?.severity === 'suspend') throw new SubscriptionRefusedError(`This site does not federate with ${block.host}.`);
  }
  const blocker = await findBlockBetween(db, subscriberId, subscribedId);
  if (blocker === subscribedId) throw new SubscriptionRefusedError(`${nameOf(subscribed)} has blocked ${nameOf(subscriber)} from subscribing.`);
  if (blocker === subscriberId) throw new SubscriptionRefusedError(`${nameOf(subscriber)} blocks ${nameOf(subscribed)}: unblock them first to subscribe.`);
}
