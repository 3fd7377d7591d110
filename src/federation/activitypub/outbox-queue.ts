// Queueing an activity for one inbox: saving never sends HTTP, a job does (and retries it alone).
import type { Db } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';

/** The job that signs and POSTs one activity to one inbox. */
export const AP_DELIVER_JOB = 'ap.deliver';

export type ApDelivery = {
  /** Identifier of the local actor that sends (and signs) it. */
  sender: string;
  /** The inbox to POST to (named url, as every delivery job's target is). */
  url: string;
  /** The activity, already compacted JSON-LD. */
  activity: Record<string, unknown>;
};

/** Queues the delivery inside the caller's transaction, grouped by host so a slow one holds up only itself. */
export async function queueDelivery(ctx: FederationContext, trx: Db, delivery: ApDelivery): Promise<void> {
  await ctx.jobs.send(trx, AP_DELIVER_JOB, delivery, { group: new URL(delivery.url).host });
}

/** Queues deliveries of one activity to many inboxes in one statement (all or none), each grouped by host. */
export async function queueDeliveries(ctx: FederationContext, db: Db, deliveries: readonly ApDelivery[]): Promise<void> {
  await ctx.jobs.sendMany(db, AP_DELIVER_JOB, deliveries.map((delivery) => ({ data: delivery, options: { group: new URL(delivery.url).host } })));
}
