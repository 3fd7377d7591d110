// ap.deliver: one activity POSTed to one inbox, signed by its sender (draft-cavage rsa-sha256 with a
// Digest), through the one outbound client. 2xx is done; 408, 429, 5xx and network errors are
// retried by the queue with backoff; other answers, and the last failed attempt, are kept as dead
// deliveries that an admin can requeue. A host failing for days is skipped (host-health.ts).
import { signRequest } from '@fedify/fedify';
import type { Federation } from '@fedify/fedify';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { insertDeadDelivery } from '../../db/dead-deliveries.ts';
import { deliveryGate } from '../host-health.ts';
import type { HostHealth } from '../host-health.ts';
import { OutboundError } from '../http-client.ts';
import { AP_DELIVER_JOB } from './outbox-queue.ts';
import type { ApDelivery } from './outbox-queue.ts';

type Outcome = { result: 'delivered' } | { result: 'permanent'; error: string } | { result: 'transient'; error: string };

function parseDelivery(data: Record<string, unknown>): ApDelivery {
  return { sender: String(data.sender), url: String(data.url), activity: (data.activity ?? {}) as Record<string, unknown> };
}

async function post(ctx: FederationContext, federation: Federation<FederationContext>, delivery: ApDelivery, health: HostHealth): Promise<Outcome> {
  const context = federation.createContext(new URL(ctx.config.publicUrl), ctx);
  const key = (await context.getActorKeyPairs(delivery.sender)).find((pair) => pair.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5');
  if (!key) return { result: 'permanent', error: `no key to sign with for ${delivery.sender}` };
  const body = JSON.stringify(delivery.activity);
  const unsigned = new Request(delivery.url, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body });
  const signed = await signRequest(unsigned, key.privateKey, key.keyId, { spec: 'draft-cavage-http-signatures-12', body: new TextEncoder().encode(body).buffer });
  let response;
  try {
    response = await ctx.http.request(delivery.url, { method: 'POST', headers: Object.fromEntries(signed.headers.entries()), body, maxBytes: 64 * 1024 });
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    if (error.kind === 'blocked' || error.kind === 'bad-url') return { result: 'permanent', error: error.message };
    await health.failed(error.message);
    return { result: 'transient', error: error.message };
  }
  const { status } = response;
  const summary = `${delivery.url} answered ${status}: ${response.body.slice(0, 200)}`;
  if (status === 408 || status === 429 || status >= 500) {
    await health.failed(summary);
    return { result: 'transient', error: summary };
  }
  await health.answered();
  return status >= 200 && status < 300 ? { result: 'delivered' } : { result: 'permanent', error: summary };
}

async function keepDead(ctx: FederationContext, delivery: ApDelivery, attempts: number, error: string, waitingForHost?: string): Promise<void> {
  await insertDeadDelivery(ctx.db, { jobName: AP_DELIVER_JOB, data: delivery, target: delivery.url, attempts, lastError: error, waitingForHost });
}

/** The ap.deliver job handler, signing with the keys the given federation knows. */
export function deliverWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data, attempt) => {
    const delivery = parseDelivery(data);
    const { suspended, gate, health } = await deliveryGate(ctx, delivery.url);
    if (suspended) return; // the site cut that server off after this was queued
    // A host down for days is not asked (but hourly): the delivery waits for it, kept.
    if (!gate.attempt) return keepDead(ctx, delivery, attempt.retryCount, gate.reason, gate.host);
    let outcome: Outcome;
    try {
      outcome = await post(ctx, federationOf(ctx), delivery, health);
    } catch (error) {
      outcome = { result: 'transient', error: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.result === 'delivered') return;
    if (outcome.result === 'permanent') return keepDead(ctx, delivery, attempt.retryCount + 1, outcome.error);
    // The last attempt leaves the delivery where an admin can find it; earlier ones are retried.
    if (attempt.retryCount >= attempt.retryLimit) return keepDead(ctx, delivery, attempt.retryCount + 1, outcome.error);
    throw new Error(outcome.error);
  };
}
