// The OMB module's background jobs and their retry policies.
import type { Config } from '../../config.ts';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { purgeNonces, purgeRequestTokens } from '../../db/omb-tokens.ts';
import { purgePendingSubscriptions } from '../../db/omb-listeners.ts';
import type { JobDefinition } from '../../jobs/queue.ts';
import { PENDING_LIFETIME_SECONDS } from './consumer.ts';
import { deliver } from './deliver.ts';
import { OMB_DELIVER_JOB, OMB_UNORDERED_DELIVER_JOB } from './distribute.ts';
import { REQUEST_TOKEN_LIFETIME_SECONDS } from './provider.ts';
import { TIMESTAMP_WINDOW_SECONDS } from './verify.ts';
import { DELIVERY_MAX_DELAY_SECONDS, retriesCovering } from '../delivery-retries.ts';

/** Periodic clean-up of expired nonces, request tokens and pending subscriptions. */
export const OMB_CLEANUP_JOB = 'omb.cleanup';

const cleanup: JobHandler = async (ctx) => {
  await purgeNonces(ctx.db, 3 * TIMESTAMP_WINDOW_SECONDS);
  await purgeRequestTokens(ctx.db, 2 * REQUEST_TOKEN_LIFETIME_SECONDS);
  await purgePendingSubscriptions(ctx.db, PENDING_LIFETIME_SECONDS);
};

/** OMB's own jobs for this configuration (its part of notice.distribute and profile.distribute is in protocol.ts). */
export function ombJobDefinitions(config: Config): Record<string, JobDefinition<FederationContext>> {
  const delivery: JobDefinition<FederationContext> = {
    handler: deliver,
    retryLimit: retriesCovering(config.deliveryRetrySeconds),
    retryDelaySeconds: config.deliveryRetrySeconds,
    retryDelayMaxSeconds: DELIVERY_MAX_DELAY_SECONDS,
    expireInSeconds: 120, // a delivery takes at most a few 15-second POSTs; a dead worker's job comes back
    localConcurrency: 32, // a slow host holds at most 2 of these, so a few hung hosts leave most free
    localGroupConcurrency: 2,
    // Eight deliveries per fetch (the fetch of an ordered queue is pg-boss's most expensive
    // statement), run at once, each marked done when it is: a hung host holds up only its own
    // delivery and the worker it is on. Up to 256 at once; eight read their gates in one query.
    batchSize: 8,
    concurrent: true,
    pollForRetries: true, // retries wait in the queue with a start time: notifications never announce them
  };
  return {
    [OMB_DELIVER_JOB]: { ...delivery, ordered: true }, // one endpoint at a time, in order (see distribute.ts)
    [OMB_UNORDERED_DELIVER_JOB]: delivery, // what was queued before deliveries were ordered
    [OMB_CLEANUP_JOB]: { handler: cleanup, retryLimit: 1, retryDelaySeconds: 60, cron: '*/10 * * * *' },
  };
}
