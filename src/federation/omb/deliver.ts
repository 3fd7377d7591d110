// One delivery: a signed POST of a notice or profile to one remote endpoint, tried with each
// listener's token behind that URL until one is accepted, and classified (reference §8.1):
// success and "Duplicate notice" are done; 403 ends that listener's subscription; 408, 429, 5xx
// and network errors are retried by the queue with backoff; other 4xx are permanent.
import type { JobAttempt, JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { endSubscription } from '../../domain/subscriptions.ts';
import { isSuspended } from '../../domain/lookups.ts';
import { getRemoteListeners } from '../../db/omb-listeners.ts';
import type { RemoteListener } from '../../db/omb-listeners.ts';
import { insertDeadDelivery } from '../../db/dead-deliveries.ts';
import { OutboundError } from '../http-client.ts';
import { OMB_SUCCESS_BODY, OMB_VERSION } from './constants.ts';
import { OMB_DELIVER_JOB } from './distribute.ts';
import type { Delivery } from './distribute.ts';
import { consumerKeyOf } from './identity.ts';
import { decodeForm } from './oauth.ts';
import { postSigned } from './outbound.ts';

type Outcome = { result: 'delivered' } | { result: 'gone' } | { result: 'permanent'; error: string } | { result: 'transient'; error: string };

function accepted(body: string): boolean {
  return decodeForm(body)?.omb_version === OMB_VERSION || body.includes(OMB_SUCCESS_BODY);
}

async function post(ctx: FederationContext, delivery: Delivery, listener: RemoteListener): Promise<Outcome> {
  let response;
  try {
    response = await postSigned(ctx.http, delivery.url, consumerKeyOf(ctx.config), { key: listener.token, secret: listener.secret }, delivery.params);
  } catch (error) {
    if (error instanceof OutboundError) return { result: error.kind === 'blocked' || error.kind === 'bad-url' ? 'permanent' : 'transient', error: error.message };
    throw error;
  }
  const { status } = response;
  const summary = `${delivery.url} answered ${status}: ${response.body.slice(0, 200)}`;
  if (status === 200) return accepted(response.body) ? { result: 'delivered' } : { result: 'permanent', error: `${summary} (not an OMB answer)` };
  if (status === 403) return { result: 'gone' };
  if (status === 500 && /Duplicate notice/i.test(response.body)) return { result: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) return { result: 'transient', error: summary };
  return { result: 'permanent', error: summary };
}

async function keepDead(ctx: FederationContext, delivery: Delivery, attempts: number, error: string): Promise<void> {
  await insertDeadDelivery(ctx.db, { jobName: OMB_DELIVER_JOB, data: delivery, target: delivery.url, attempts, lastError: error });
}

function parseDelivery(data: Record<string, unknown>): Delivery {
  return {
    kind: data.kind === 'profile' ? 'profile' : 'notice',
    url: String(data.url),
    subscribedId: Number(data.subscribedId),
    subscriberIds: Array.isArray(data.subscriberIds) ? data.subscriberIds.map(Number) : [],
    params: (data.params ?? {}) as Record<string, string>,
  };
}

/** The omb.deliver job. */
export const deliver: JobHandler<FederationContext> = async (ctx, data, attempt) => {
  const delivery = parseDelivery(data);
  try {
    await deliverOnce(ctx, delivery, attempt);
  } catch (error) {
    // Whatever went wrong, the last attempt leaves the delivery where an admin can find it.
    if (attempt.retryCount < attempt.retryLimit) throw error;
    await keepDead(ctx, delivery, attempt.retryCount + 1, error instanceof Error ? error.message : String(error));
  }
};

async function deliverOnce(ctx: FederationContext, delivery: Delivery, attempt: JobAttempt): Promise<void> {
  if (await isSuspended(ctx.db, delivery.subscribedId)) return; // suspended after the job was queued
  // Listeners who unsubscribed (or were dropped after a 403) since the job was queued are skipped.
  const listeners = (await getRemoteListeners(ctx.db, delivery.subscribedId, delivery.subscriberIds)).filter(
    (l) => (delivery.kind === 'notice' ? l.postNoticeUrl : l.updateProfileUrl) === delivery.url,
  );
  for (const listener of listeners) {
    let outcome = await post(ctx, delivery, listener);
    // StatusNet also answers 403 for clock skew or a lost nonce: ask once more before giving up on them.
    if (outcome.result === 'gone') outcome = await post(ctx, delivery, listener);
    if (outcome.result === 'delivered') return;
    if (outcome.result === 'gone') {
      await ctx.db.transaction((trx) => endSubscription(trx, listener.subscriberId, listener.subscribedId));
      continue; // the next listener on that server may still be subscribed
    }
    if (outcome.result === 'permanent') return keepDead(ctx, delivery, attempt.retryCount + 1, outcome.error);
    throw new Error(outcome.error); // the queue retries it later, with backoff and jitter
  }
}
