// Every background job the server knows, with its retry policy.
import { fanOutNotices, timelineJobHandlers } from '../domain/fanout.ts';
import { feedJobHandlers } from '../domain/feed-upkeep.ts';
import { FEED_DELETIONS_PRUNE_JOB, HOME_TRIM_JOB, LOGIN_ATTEMPTS_PRUNE_JOB, NOTICE_FANOUT_JOB, PICTURES_PRUNE_JOB } from '../domain/jobs.ts';
import { loginAttemptJobHandlers } from '../domain/login-attempts.ts';
import { pictureJobHandlers } from '../domain/picture-uploads.ts';
import type { Config } from '../config.ts';
import type { FederationContext } from '../federation/context.ts';
import { distributionJobDefinitions, protocolJobTables } from '../federation/core.ts';
import type { FederationProtocol } from '../federation/core.ts';
import { federationProtocols } from '../federation/protocols.ts';
import { remoteAvatarJobDefinitions } from '../federation/remote-avatars.ts';
import { remotePictureJobDefinitions } from '../federation/remote-pictures.ts';
import { imJobDefinitions } from '../im/jobs.ts';
import type { ChatSender } from '../im/jobs.ts';
import { mailJobDefinitions } from '../mail/jobs.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { JobDefinition } from './queue.ts';

/** Job definitions by name. */
export const jobDefinitions: Readonly<Record<string, JobDefinition>> = {
  [NOTICE_FANOUT_JOB]: { handler: timelineJobHandlers[NOTICE_FANOUT_JOB]!, batchHandler: fanOutNotices, retryLimit: 10, retryDelaySeconds: 5 },
  [HOME_TRIM_JOB]: { handler: timelineJobHandlers[HOME_TRIM_JOB]!, retryLimit: 2, retryDelaySeconds: 60, cron: '17 * * * *' },
  [FEED_DELETIONS_PRUNE_JOB]: { handler: feedJobHandlers[FEED_DELETIONS_PRUNE_JOB]!, retryLimit: 2, retryDelaySeconds: 300, cron: '41 3 * * *' },
  [LOGIN_ATTEMPTS_PRUNE_JOB]: { handler: loginAttemptJobHandlers[LOGIN_ATTEMPTS_PRUNE_JOB]!, retryLimit: 2, retryDelaySeconds: 60, cron: '29 * * * *' },
  [PICTURES_PRUNE_JOB]: { handler: pictureJobHandlers[PICTURES_PRUNE_JOB]!, retryLimit: 2, retryDelaySeconds: 60, cron: '*/10 * * * *' },
};

/** Joins tables of job definitions; a name defined twice throws, so no module silently replaces another's job. */
export function mergeJobDefinitions<D>(...tables: Readonly<Record<string, D>>[]): Readonly<Record<string, D>> {
  const merged: Record<string, D> = {};
  for (const table of tables) {
    for (const [name, definition] of Object.entries(table)) {
      if (Object.hasOwn(merged, name)) throw new Error(`The job "${name}" is defined twice: each job name must have exactly one handler.`);
      merged[name] = definition;
    }
  }
  return Object.freeze(merged);
}

// Where the chat job sends in a process without the bot (the web role): never, as it never works that queue.
const noChatBot: ChatSender = {
  sendChat: () => Promise.reject(new Error('this process does not run the chat bot')),
};

/** Every job definition for this configuration: the domain's, the federation core's and each protocol's, the email jobs (sending through `mailer`) and the chat job (through `chat`); throws on a duplicate name. */
export function jobDefinitionsFor(
  config: Config,
  mailer: Mailer,
  protocols: readonly FederationProtocol[] = federationProtocols,
  chat: ChatSender = noChatBot,
): Readonly<Record<string, JobDefinition<FederationContext>>> {
  return mergeJobDefinitions<JobDefinition<FederationContext>>(
    jobDefinitions,
    remoteAvatarJobDefinitions,
    remotePictureJobDefinitions(config),
    mailJobDefinitions(mailer),
    imJobDefinitions(chat),
    distributionJobDefinitions(protocols),
    ...protocolJobTables(protocols, config),
  );
}
