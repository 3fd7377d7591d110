// Deliveries that failed for good are kept; an admin can send them all again.
import type { DomainContext } from '../domain/context.ts';
import { deleteDeadDeliveriesWith, takeDeadDeliveries } from '../db/dead-deliveries.ts';

/** Puts every dead delivery back on the queue (with a fresh set of retries); returns how many. */
export async function requeueDeadDeliveries(ctx: DomainContext): Promise<number> {
  return ctx.db.transaction(async (trx) => {
    const dead = await takeDeadDeliveries(trx);
    for (const delivery of dead) {
      const url = typeof delivery.data.url === 'string' ? delivery.data.url : delivery.target;
      let group: string | undefined;
      try {
        group = new URL(url).host;
      } catch {
        group = undefined;
      }
      await ctx.jobs.send(trx, delivery.jobName, delivery.data, group ? { group } : {});
    }
    return dead.length;
  });
}

/** Forgets the dead deliveries of a profile's notices and profile updates (its account is gone). */
export function forgetDeadDeliveriesOf(ctx: DomainContext, profileId: number): Promise<number> {
  return deleteDeadDeliveriesWith(ctx.db, { subscribedId: profileId });
}
