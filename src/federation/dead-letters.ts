// Deliveries that failed for good are kept; an admin can list them and send them again.
import type { DomainContext } from '../domain/context.ts';
import { deleteDeadDeliveriesWith, listDeadDeliveries, takeDeadDeliveries, takeDeliveriesWaitingFor } from '../db/dead-deliveries.ts';
import type { DeadDelivery, DeadDeliveryFilter } from '../db/dead-deliveries.ts';

export type { DeadDelivery, DeadDeliveryFilter };

/** The dead deliveries (all, one id, or one target host), oldest first. */
export function listDeadLetters(ctx: DomainContext, filter: DeadDeliveryFilter = {}): Promise<DeadDelivery[]> {
  return listDeadDeliveries(ctx.db, filter);
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

// Back on the queue, with a fresh set of retries; the key puts each in its endpoint's line
// (deliveries to one endpoint go in order).
async function requeue(ctx: DomainContext, trx: DomainContext['db'], dead: DeadDelivery[]): Promise<number> {
  for (const delivery of dead) {
    const url = typeof delivery.data.url === 'string' ? delivery.data.url : delivery.target;
    const group = hostOf(url);
    await ctx.jobs.send(trx, delivery.jobName, delivery.data, { key: url, ...(group ? { group } : {}) });
  }
  return dead.length;
}

/** Puts the matching dead deliveries back on the queue (with a fresh set of retries); returns how many. */
export async function requeueDeadDeliveries(ctx: DomainContext, filter: DeadDeliveryFilter = {}): Promise<number> {
  return ctx.db.transaction(async (trx) => requeue(ctx, trx, await takeDeadDeliveries(trx, filter)));
}

/** Puts the deliveries set aside while a host was failing back on the queue, oldest first; returns how many. */
export async function requeueWaitingFor(ctx: DomainContext, host: string): Promise<number> {
  return ctx.db.transaction(async (trx) => requeue(ctx, trx, await takeDeliveriesWaitingFor(trx, host)));
}

/** Forgets the dead deliveries of a profile's notices and profile updates (its account is gone). */
export function forgetDeadDeliveriesOf(ctx: DomainContext, profileId: number): Promise<number> {
  return deleteDeadDeliveriesWith(ctx.db, { subscribedId: profileId });
}
