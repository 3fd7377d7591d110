// Every background job the server knows, with its retry policy.
import { timelineJobHandlers } from '../domain/fanout.ts';
import { feedJobHandlers } from '../domain/feed-upkeep.ts';
import { FEED_DELETIONS_PRUNE_JOB, HOME_TRIM_JOB, LOGIN_ATTEMPTS_PRUNE_JOB, NOTICE_FANOUT_JOB } from '../domain/jobs.ts';
import { loginAttemptJobHandlers } from '../domain/login-attempts.ts';
import type { Config } from '../config.ts';
import { ombJobDefinitions } from '../federation/omb/jobs.ts';
import { remoteAvatarJobDefinitions } from '../federation/remote-avatars.ts';
import { mailJobDefinitions } from '../mail/jobs.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { JobDefinition } from './queue.ts';

/** Job definitions by name. */
export const jobDefinitions: Readonly<Record<string, JobDefinition>> = {
  [NOTICE_FANOUT_JOB]: { handler: timelineJobHandlers[NOTICE_FANOUT_JOB]!, retryLimit: 10, retryDelaySeconds: 5 },
  [HOME_TRIM_JOB]: { handler: timelineJobHandlers[HOME_TRIM_JOB]!, retryLimit: 2, retryDelaySeconds: 60, cron: '17 * * * *' },
  [FEED_DELETIONS_PRUNE_JOB]: { handler: feedJobHandlers[FEED_DELETIONS_PRUNE_JOB]!, retryLimit: 2, retryDelaySeconds: 300, cron: '41 3 * * *' },
  [LOGIN_ATTEMPTS_PRUNE_JOB]: { handler: loginAttemptJobHandlers[LOGIN_ATTEMPTS_PRUNE_JOB]!, retryLimit: 2, retryDelaySeconds: 60, cron: '29 * * * *' },
};

/** Every job definition for this configuration: the domain's, the federation modules' and the email jobs (sending through `mailer`). */
export function jobDefinitionsFor(config: Config, mailer: Mailer): Readonly<Record<string, JobDefinition>> {
  return { ...jobDefinitions, ...remoteAvatarJobDefinitions, ...ombJobDefinitions(config), ...mailJobDefinitions(mailer) };
}
