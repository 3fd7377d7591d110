// The ActivityPub module's background jobs and their retry policies.
import type { Config } from '../../config.ts';
import type { JobHandler } from '../../domain/context.ts';
import { purgeExpiredKv } from '../../db/fedify-kv.ts';
import type { JobDefinition } from '../../jobs/queue.ts';
import { NOTICE_DISTRIBUTE_JOB, NOTICE_RETRACT_JOB, PROFILE_DISTRIBUTE_JOB, SUBSCRIPTION_END_JOB } from '../../domain/jobs.ts';
import { deliverWith } from './deliver.ts';
import { distributeDeleteWith, distributeNoteWith, distributePersonWith, distributeUnfollowWith } from './distribute.ts';
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

/** ActivityPub's part of the protocol-neutral distribution jobs. */
export const apDistribution: Readonly<Record<typeof NOTICE_DISTRIBUTE_JOB | typeof PROFILE_DISTRIBUTE_JOB | typeof NOTICE_RETRACT_JOB | typeof SUBSCRIPTION_END_JOB, JobHandler>> = {
  [SUBSCRIPTION_END_JOB]: distributeUnfollowWith(apFederationFor),
  [NOTICE_DISTRIBUTE_JOB]: distributeNoteWith(apFederationFor),
  [NOTICE_RETRACT_JOB]: distributeDeleteWith(apFederationFor),
  [PROFILE_DISTRIBUTE_JOB]: distributePersonWith(apFederationFor),
};
