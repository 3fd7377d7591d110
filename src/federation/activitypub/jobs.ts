// The ActivityPub module's background jobs and their retry policies. The handlers that need Fedify
// are given by protocol.ts, which loads them on first use.
import type { Config } from '../../config.ts';
import type { JobHandler } from '../../domain/context.ts';
import { purgeExpiredKv } from '../../db/fedify-kv.ts';
import type { JobDefinition } from '../../jobs/queue.ts';
import type { FederationContext } from '../context.ts';
import { AP_KV_PURGE_JOB, AP_PARENT_FETCH_JOB } from './job-names.ts';
import { AP_DELIVER_JOB } from './outbox-queue.ts';
import { DELIVERY_MAX_DELAY_SECONDS, retriesCovering } from '../delivery-retries.ts';

export { AP_KV_PURGE_JOB };

const purgeKv: JobHandler = async (ctx) => {
  await purgeExpiredKv(ctx.db);
};

/** The handlers of the jobs that sign or fetch: ap.deliver and ap.parent.fetch. */
export type ApJobHandlers = { deliver: JobHandler<FederationContext>; fetchParent: JobHandler<FederationContext> };

/** The ActivityPub job definitions for this configuration. */
export function apJobDefinitions(config: Config, handlers: ApJobHandlers): Record<string, JobDefinition<FederationContext>> {
  return {
    [AP_DELIVER_JOB]: {
      handler: handlers.deliver,
      retryLimit: retriesCovering(config.deliveryRetrySeconds),
      retryDelaySeconds: config.deliveryRetrySeconds,
      retryDelayMaxSeconds: DELIVERY_MAX_DELAY_SECONDS,
      expireInSeconds: 120,
      localConcurrency: 8, // a slow host holds at most 2 of these
      localGroupConcurrency: 2,
      batchSize: 1,
      pollForRetries: true,
    },
    [AP_KV_PURGE_JOB]: { handler: purgeKv, retryLimit: 1, retryDelaySeconds: 60, cron: '53 * * * *' },
    // The note a reply answers: a server that cannot be reached is tried again a few times, over some minutes.
    [AP_PARENT_FETCH_JOB]: {
      handler: handlers.fetchParent,
      retryLimit: 4,
      retryDelaySeconds: config.deliveryRetrySeconds,
      retryDelayMaxSeconds: 900,
      expireInSeconds: 120,
      batchSize: 1,
      localConcurrency: 2,
      localGroupConcurrency: 1,
      pollForRetries: true,
    },
  };
}
