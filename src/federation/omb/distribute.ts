// OMB's part of notice.distribute and profile.distribute: render the payload once, then queue one
// delivery per remote endpoint URL (listeners on one server share it: one POST reaches them all).
// The federation core runs these inside its transaction (ctx.db), so the jobs commit together.
import type { DomainContext, JobHandler } from '../../domain/context.ts';
import { findLocalUser, findNotice, isSuspended } from '../../domain/lookups.ts';
import { listRemoteListeners } from '../../db/omb-listeners.ts';
import type { RemoteListener } from '../../db/omb-listeners.ts';
import { toNoticeParams, toRepeatParams } from './mapping.ts';
import type { Params } from './oauth.ts';

/**
 * The job that makes one signed POST to one remote endpoint. Its queue is ordered by endpoint URL:
 * OMB 0.1 carries no timestamp, so the receiver orders notices by arrival, and each endpoint gets
 * them one at a time, first in first out, later ones waiting behind one being retried; other
 * endpoints never wait. One profile update per endpoint at a time, for the same reason.
 */
export const OMB_DELIVER_JOB = 'omb.push';

/** The queue of deliveries queued before they were ordered; still worked, never sent to. */
export const OMB_UNORDERED_DELIVER_JOB = 'omb.deliver';

export type DeliveryKind = 'notice' | 'profile';

/**
 * What one delivery job carries: the endpoint, the listeners behind it and, for a notice, the
 * rendered parameters. A profile update renders the profile when it is sent, so a job still
 * waiting sends the latest fields and later changes need no job of their own.
 */
export type Delivery = { kind: DeliveryKind; url: string; subscribedId: number; subscriberIds: number[]; params?: Params };

/** The host a URL points at, which groups deliveries for the per-host limit. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}

/** Queues one delivery per distinct endpoint URL (on ctx.db: give it a transaction to queue them all or none); a profile update only where none is waiting. */
export async function queueDeliveries(ctx: DomainContext, kind: DeliveryKind, subscribedId: number, listeners: RemoteListener[], params?: Params): Promise<number> {
  const groups = new Map<string, number[]>();
  for (const listener of listeners) {
    const url = kind === 'notice' ? listener.postNoticeUrl : listener.updateProfileUrl;
    groups.set(url, [...(groups.get(url) ?? []), listener.subscriberId]);
  }
  if (groups.size === 0) return 0;
  const deliveries = [...groups].map(([url, subscriberIds]): Delivery => ({ kind, url, subscribedId, subscriberIds, ...(params ? { params } : {}) }));
  if (kind === 'notice') {
    // All in one statement: a notice to a hundred servers is a hundred jobs.
    await ctx.jobs.sendMany(ctx.db, OMB_DELIVER_JOB, deliveries.map((delivery) => ({ data: delivery, options: { group: hostOf(delivery.url), key: delivery.url } })));
  } else {
    for (const delivery of deliveries) {
      await ctx.jobs.send(ctx.db, OMB_DELIVER_JOB, delivery, { group: hostOf(delivery.url), key: delivery.url, coalesce: { kind, subscribedId } });
    }
  }
  return groups.size;
}

/** OMB's part of notice.distribute: a local notice goes to every server where someone listens to its author. */
export const distributeNotice: JobHandler = async (ctx, data) => {
  const notice = await findNotice(ctx.db, Number(data.noticeId));
  if (!notice || !notice.isLocal) return; // deleted meanwhile, or arrived from elsewhere: never re-broadcast
  if (await isSuspended(ctx.db, notice.author.id)) return; // a suspended person's notices stay here
  const listeners = await listRemoteListeners(ctx.db, notice.author.id);
  if (listeners.length === 0) return;
  const original = notice.repeatOf === null ? undefined : await findNotice(ctx.db, notice.repeatOf);
  if (notice.repeatOf !== null && !original) return; // the repeat went with its original
  const params = original ? toRepeatParams(ctx.config, notice, original) : toNoticeParams(ctx.config, notice);
  await queueDeliveries(ctx, 'notice', notice.author.id, listeners, params);
};

/** OMB's part of profile.distribute: a local profile's full field set goes to every server where someone listens. */
export const distributeProfile: JobHandler = async (ctx, data) => {
  const user = await findLocalUser(ctx.db, Number(data.profileId));
  if (!user || user.suspendedAt) return;
  const listeners = await listRemoteListeners(ctx.db, user.id);
  if (listeners.length === 0) return;
  await queueDeliveries(ctx, 'profile', user.id, listeners);
};
