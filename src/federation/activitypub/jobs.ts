// The ActivityPub module's background jobs and their retry policies.
import type { Config } from '../../config.ts';
import type { JobHandler } from '../../domain/context.ts';
import { purgeExpiredKv } from '../../db/fedify-kv.ts';
import type { JobDefinition } from '../../jobs/queue.ts';
import { deliverWith } from './deliver.ts';
import { apFederationFor } from './federation.ts';
import { AP_DELIVER_JOB } from './outbox-queue.ts';

/** Hourly removal of expired key-value entries (Fedify's caches). */
export const AP_KV_PURGE_JOB = 'ap.kv.purge';

/** Deliveries keep being retried for at least this long. */
const RETRY_WINDOW_SECONDS = 48 * 3600;
/** The longest wait between two attempts of one delivery. */
const MAX_DELAY_SECONDS = 3600;

// How many retries pg-boss's backoff needs so that even its shortest delays add up to the window.
function retriesCovering(baseSeconds: number): number {
  let total = 0;
  let retries = 0;
  while (total < RETRY_WINDOW_SECONDS) {
    total += Math.min(MAX_DELAY_SECONDS, baseSeconds * 2 ** Math.min(16, retries));
    retries++;
  }
  return retries;
}

const purgeKv: JobHandler = async (ctx) => {
  await purgeExpiredKv(ctx.db);
};

/** The ActivityPub job definitions for this configuration. */
export function apJobDefinitions(config: Config): Record<string, JobDefinition> {
  return {
    [AP_DELIVER_JOB]: {
      handler: deliverWith(apFederationFor),
      retryLimit: retriesCovering(config.deliveryRetrySeconds),
      retryDelaySeconds: config.deliveryRetrySeconds,
      retryDelayMaxSeconds: MAX_DELAY_SECONDS,
      expireInSeconds: 120,
      localConcurrency: 8, // a slow host holds at most 2 of these
      localGroupConcurrency: 2,
      batchSize: 1,
      pollForRetries: true,
    },
    [AP_KV_PURGE_JOB]: { handler: purgeKv, retryLimit: 1, retryDelaySeconds: 60, cron: '53 * * * *' },
  };
}

