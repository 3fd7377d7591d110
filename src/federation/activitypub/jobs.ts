// The ActivityPub module's background jobs and their retry policies.
import type { Config } from '../../config.ts';
import type { JobHandler } from '../../domain/context.ts';
import { purgeExpiredKv } from '../../db/fedify-kv.ts';
import type { JobDefinition } from '../../jobs/queue.ts';
import type { FederationContext } from '../context.ts';
import { ancestorJobDefinitions } from './ancestors.ts';
import { deliverWith } from './deliver.ts';
import { apFederationFor } from './federation.ts';
import { AP_DELIVER_JOB } from './outbox-queue.ts';
import { DELIVERY_MAX_DELAY_SECONDS, retriesCovering } from '../delivery-retries.ts';

/** Hourly removal of expired key-value entries (Fedify's caches). */
export const AP_KV_PURGE_JOB = 'ap.kv.purge';

const purgeKv: JobHandler = async (ctx) => {
  await purgeExpiredKv(ctx.db);
};

/** The ActivityPub job definitions for this configuration. */
export function apJobDefinitions(config: Config): Record<string, JobDefinition<FederationContext>> {
  return {
    [AP_DELIVER_JOB]: {
      handler: deliverWith(apFederationFor),
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
    ...ancestorJobDefinitions(config, apFederationFor),
  };
}

