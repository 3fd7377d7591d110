// One delivery: a signed POST of a notice or profile to one remote endpoint, tried with each
// listener's token behind that URL until one is accepted, and classified (reference §8.1):
// success and "Duplicate notice" are done; 403 ends that listener's subscription; 408, 429, 5xx,
// network errors and a 200 that is not an OMB answer (a server's error page) are retried by the
// queue with backoff; other 4xx are permanent. Every failed attempt is logged once. A host failing
// for days is skipped until it answers again (host-health.ts).
import type { JobAttempt, JobHandler } from '../../domain/context.ts';
import { LoggedJobFailure } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { endSubscription } from '../../domain/subscriptions.ts';
import { findLocalUser } from '../../domain/lookups.ts';
import { readOmbDeliveryGate } from '../../db/delivery-gates.ts';
import type { RemoteListener } from '../../db/omb-listeners.ts';
import { insertDeadDelivery } from '../../db/dead-deliveries.ts';
import { answerExcerpt } from '../excerpt.ts';
import { gateTarget, hostGateFor, hostHealth } from '../host-health.ts';
import type { HostHealth } from '../host-health.ts';
import { OutboundError } from '../http-client.ts';
import { OMB_SUCCESS_BODY, OMB_VERSION } from './constants.ts';
import { OMB_DELIVER_JOB } from './distribute.ts';
import type { Delivery } from './distribute.ts';
import { consumerKeyOf } from './identity.ts';
import { toUpdateProfileParams } from './mapping.ts';
import { decodeForm } from './oauth.ts';
import type { Params } from './oauth.ts';
import { postSigned } from './outbound.ts';

/** What went wrong, for the log and the dead letter: the HTTP status (none for network errors) and what the server said. */
type Failure = { status: number | undefined; excerpt: string; error: string };

type Outcome = { result: 'delivered' } | { result: 'gone' } | ({ result: 'permanent' | 'transient' } & Failure);

function accepted(body: string): boolean {
  return decodeForm(body)?.omb_version === OMB_VERSION || body.includes(OMB_SUCCESS_BODY);
}

function failure(result: 'permanent' | 'transient', url: string, status: number, body: string, note = ''): Outcome {
  const excerpt = answerExcerpt(body);
  return { result, status, excerpt, error: `${url} answered ${status}: ${excerpt}${note}` };
}

async function post(ctx: FederationContext, delivery: Delivery, params: Params, listener: RemoteListener, health: HostHealth): Promise<Outcome> {
  let response;
  try {
    response = await postSigned(ctx.http, delivery.url, consumerKeyOf(ctx.config), { key: listener.token, secret: listener.secret }, params);
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    const result = error.kind === 'blocked' || error.kind === 'bad-url' ? 'permanent' : 'transient';
    if (result === 'transient') await health.failed(error.message);
    return { result, status: undefined, excerpt: error.message, error: error.message };
  }
  const { status, body } = response;
  if (status === 408 || status === 429 || status >= 500) await health.failed(`${delivery.url} answered ${status}`);
  else await health.answered();
  if (status === 200) {
    // A 200 without omb_version is usually a server's error page (a PHP fatal error): try again later.
    return accepted(body) ? { result: 'delivered' } : failure('transient', delivery.url, status, body, ' (not an OMB answer)');
  }
  if (status === 403) return { result: 'gone' };
  if (status === 500 && /Duplicate notice/i.test(body)) return { result: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) return failure('transient', delivery.url, status, body);
  return failure('permanent', delivery.url, status, body);
}

async function keepDead(ctx: FederationContext, delivery: Delivery, attempts: number, error: string, waitingForHost?: string): Promise<void> {
  await insertDeadDelivery(ctx.db, { jobName: OMB_DELIVER_JOB, data: delivery, target: delivery.url, attempts, lastError: error, waitingForHost });
}

function parseDelivery(data: Record<string, unknown>): Delivery {
  return {
    kind: data.kind === 'profile' ? 'profile' : 'notice',
    url: String(data.url),
    subscribedId: Number(data.subscribedId),
    subscriberIds: Array.isArray(data.subscriberIds) ? data.subscriberIds.map(Number) : [],
    ...(typeof data.params === 'object' && data.params !== null ? { params: data.params as Params } : {}),
  };
}

// A notice's parameters were rendered when it was queued; a profile's are rendered now, so that
// the update sends the latest fields (undefined: the account is gone, nothing to send).
async function paramsOf(ctx: FederationContext, delivery: Delivery): Promise<Params | undefined> {
  if (delivery.params) return delivery.params;
  if (delivery.kind !== 'profile') return undefined;
  const user = await findLocalUser(ctx.db, delivery.subscribedId);
  return user && toUpdateProfileParams(ctx.config, user);
}

// Who is behind the endpoint now: those the notice was queued for, still subscribed; for a
// profile update, everyone listening there now (it may stand for several changes). Nobody, when
// the author was suspended after the job was queued. Read with the delivery's gate, in one query.
function gateOf(ctx: FederationContext, delivery: Delivery) {
  const subscriberIds = delivery.kind === 'profile' ? undefined : delivery.subscriberIds;
  return readOmbDeliveryGate(ctx.db, gateTarget(delivery.url), { subscribedId: delivery.subscribedId, url: delivery.url, kind: delivery.kind, subscriberIds });
}

/** The delivery job (omb.push, and omb.deliver for what was queued before deliveries were ordered). */
export const deliver: JobHandler<FederationContext> = async (ctx, data, attempt) => {
  const delivery = parseDelivery(data);
  try {
    await deliverOnce(ctx, delivery, attempt);
  } catch (error) {
    // Whatever went wrong, the last attempt (or the queue's spare one) leaves the delivery where an admin can find it.
    if (attempt.retryCount < attempt.retryLimit) throw error;
    const message = error instanceof Error ? error.message : String(error);
    await keepDead(ctx, delivery, attempt.retryCount + 1, message);
    attempt.logger.warn({ endpoint: delivery.url, kind: delivery.kind, attempts: attempt.retryCount + 1 }, 'delivery kept as a dead letter: retries exhausted');
  }
};

async function deliverOnce(ctx: FederationContext, delivery: Delivery, attempt: JobAttempt): Promise<void> {
  const { suspended, streak, listeners } = await gateOf(ctx, delivery);
  if (suspended) return; // the site cut that server off after this was queued
  // Listeners who unsubscribed (or were dropped after a 403) since the job was queued are skipped.
  const params = listeners.length > 0 ? await paramsOf(ctx, delivery) : undefined;
  if (!params) return;
  // A host down for days is not asked (but hourly): the delivery waits for it, kept.
  const gate = await hostGateFor(ctx, delivery.url, streak);
  if (!gate.attempt) {
    attempt.logger.info({ endpoint: delivery.url, kind: delivery.kind }, 'host failing for days: delivery kept until it answers');
    return keepDead(ctx, delivery, attempt.retryCount, gate.reason, gate.host);
  }
  const health = hostHealth(ctx, delivery.url, streak !== undefined);
  for (const listener of listeners) {
    let outcome = await post(ctx, delivery, params, listener, health);
    // StatusNet also answers 403 for clock skew or a lost nonce: ask once more before giving up on them.
    if (outcome.result === 'gone') outcome = await post(ctx, delivery, params, listener, health);
    if (outcome.result === 'delivered') return;
    if (outcome.result === 'gone') {
      attempt.logger.info({ endpoint: delivery.url, kind: delivery.kind, status: 403, subscriberId: listener.subscriberId }, 'remote listener refused the push twice: subscription ended');
      await ctx.db.transaction((trx) => endSubscription(trx, listener.subscriberId, listener.subscribedId));
      continue; // the next listener on that server may still be subscribed
    }
    const attempts = attempt.retryCount + 1;
    const fields = { endpoint: delivery.url, kind: delivery.kind, status: outcome.status ?? null, answer: outcome.excerpt, attempts };
    if (outcome.result === 'permanent') {
      attempt.logger.warn(fields, 'delivery refused for good: kept as a dead letter');
      return keepDead(ctx, delivery, attempts, outcome.error);
    }
    if (attempt.retryCount >= attempt.retryLimit) {
      attempt.logger.warn(fields, 'delivery failed on its last attempt: kept as a dead letter');
      return keepDead(ctx, delivery, attempts, outcome.error);
    }
    attempt.logger.warn(fields, 'delivery failed: will retry');
    throw new LoggedJobFailure(outcome.error); // the queue retries it later, with backoff and jitter
  }
}
