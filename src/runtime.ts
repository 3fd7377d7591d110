// Opens everything the app needs (database, migrations, job queue, session store) and closes it again.
import pg from 'pg';
import type { Logger } from 'pino';
import type { Express } from 'express';
import { createApp } from './app.ts';
import { createLogger } from './logger.ts';
import type { Config } from './config.ts';
import { openDatabase, poolConnectionSettings } from './db/connection.ts';
import type { Database } from './db/connection.ts';
import type { FederationContext } from './federation/context.ts';
import { httpClientForConfig } from './federation/http-client.ts';
import type { HttpClient } from './federation/http-client.ts';
import { openJobQueue } from './jobs/queue.ts';
import type { JobQueue } from './jobs/queue.ts';
import { jobDefinitionsFor } from './jobs/registry.ts';
import { messageReachOf } from './federation/core.ts';
import type { FederationProtocol } from './federation/core.ts';
import { federationProtocols } from './federation/protocols.ts';
import { IM_SEND_JOB } from './domain/jobs.ts';
import { trySessionLock } from './db/session-lock.ts';
import { createChatBot } from './im/bot.ts';
import type { ChatBot } from './im/bot.ts';
import { startImService } from './im/service.ts';
import type { ImService } from './im/service.ts';
import { createMailer } from './mail/mailer.ts';
import type { LoginLimits, RecoveryLimits } from './web/middleware/throttle.ts';
import { createSessionStore } from './web/session-store.ts';

// The advisory lock the worker running the chat bot holds ("OSIM").
const CHAT_BOT_LOCK = 0x4f53494d;

export type Runtime = {
  config: Config;
  database: Database;
  jobs: JobQueue<FederationContext>;
  /** The domain's context plus the outbound HTTP client (web routes see it as a DomainContext). */
  ctx: FederationContext;
  /** The web app; undefined for ROLE=worker. */
  app: Express | undefined;
  /** The chat bot, in a process that runs workers when XMPP is configured (connected only where it holds the bot's lock). */
  chatBot: ChatBot | undefined;
  logger: Logger;
  /** Stops claiming jobs; running ones get timeoutMs to finish, then are failed so that they are retried. */
  stopWorkers(timeoutMs: number): Promise<void>;
  /** Stops workers, closes pools and the embedded database. */
  close(): Promise<void>;
};

/** Starts the parts of Ostrakon that config.role asks for, sharing one database. */
export async function startRuntime(
  config: Config,
  options: { logger?: Logger; loginLimits?: LoginLimits; recoveryLimits?: RecoveryLimits; httpClient?: HttpClient; protocols?: readonly FederationProtocol[] } = {},
): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config);
  await database.migrate();
  const protocols = options.protocols ?? federationProtocols;
  const runsWorkers = config.role !== 'web';
  const mailer = createMailer(config, logger);
  // The XMPP connection lives in a worker, never in a web-only process.
  const chatBot = config.xmpp && runsWorkers ? createChatBot(config.xmpp, logger, { messageReach: messageReachOf(protocols) }) : undefined;
  const jobs = await openJobQueue({
    url: database.url,
    definitions: jobDefinitionsFor(config, mailer, protocols, chatBot),
    pollSeconds: config.jobPollSeconds,
    logger,
    runMaintenance: runsWorkers,
    listenNotify: config.databaseUrl !== undefined,
    recoverySeconds: config.jobRecoverySeconds,
  });
  // One outbound client for the process; tests may pass one that records what goes out.
  const http = options.httpClient ?? httpClientForConfig(config);
  const ctx: FederationContext = Object.freeze({ db: database.knex, jobs: jobs.sender, config, http });
  if (runsWorkers) await jobs.startWorkers(ctx);
  let im: ImService | undefined;
  if (chatBot) {
    im = startImService({
      bot: chatBot,
      ctx,
      logger,
      outgoing: { resume: () => jobs.resume(IM_SEND_JOB), pause: () => jobs.pause(IM_SEND_JOB) },
      // Several workers may share a database server: one of them holds the bot. The embedded database has one process.
      leadership: config.databaseUrl ? () => trySessionLock(database.url, CHAT_BOT_LOCK) : undefined,
    });
  }

  let sessionPool: pg.Pool | undefined;
  let sessionStore: { close(): void } | undefined;
  let app: Express | undefined;
  if (config.role !== 'worker') {
    sessionPool = new pg.Pool({ ...poolConnectionSettings(database.url, config.databaseUrl === undefined), max: 5 });
    sessionPool.on('error', (error) => logger.warn({ err: error }, 'session pool connection lost'));
    const store = createSessionStore(sessionPool, config.databaseUrl === undefined);
    sessionStore = store;
    app = createApp({ ctx, protocols, sessionStore: store, logger, loginLimits: options.loginLimits, recoveryLimits: options.recoveryLimits });
  }

  return {
    config,
    database,
    jobs,
    ctx,
    app,
    chatBot,
    logger,
    stopWorkers: (timeoutMs) => jobs.stopWorkers(timeoutMs),
    async close() {
      await im?.stop();
      await jobs.stop(config.shutdownTimeoutSeconds * 1000);
      mailer.close();
      sessionStore?.close(); // stops its pruning timer
      await sessionPool?.end();
      await database.close();
    },
  };
}
