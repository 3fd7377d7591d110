// What a command opens, lazily and at most once: the settings, the database, the job queue.
// Everything opened is closed again by close(), so the process exits as soon as the command is done.
import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/connection.ts';
import type { Database } from '../db/connection.ts';
import { migrationsAreCurrent } from '../db/migrate.ts';
import type { DomainContext, JobSender } from '../domain/context.ts';
import { openJobQueue } from '../jobs/queue.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { FederationContext } from '../federation/context.ts';
import { jobDefinitionsFor } from '../jobs/registry.ts';
import { createMailer } from '../mail/mailer.ts';
import { CliError } from './errors.ts';

// Commands that never queue jobs get a sender that says so, instead of starting pg-boss for nothing.
const noJobs: JobSender = {
  send() {
    return Promise.reject(new Error('this command was started without the job queue'));
  },
  sendMany() {
    return Promise.reject(new Error('this command was started without the job queue'));
  },
};

/** Lazily opened resources of one command run. */
export class CliSession {
  #config: Config | undefined;
  #database: Database | undefined;
  #jobs: JobQueue<FederationContext> | undefined;

  /** The server's settings, from the same environment variables. */
  config(): Config {
    this.#config ??= loadConfig();
    return this.#config;
  }

  /** The database, migrated or not (for `migrate`); joins an embedded database the server holds. */
  async database(): Promise<Database> {
    this.#database ??= await openDatabase(this.config(), { joinEmbedded: true });
    return this.#database;
  }

  /** A domain context on an up-to-date database; `withJobs` also connects the job queue. */
  async context(options: { withJobs?: boolean } = {}): Promise<DomainContext> {
    const database = await this.database();
    if (!(await migrationsAreCurrent(database.knex))) {
      throw new CliError('The database has migrations still to run: run the "migrate" command first.');
    }
    if (options.withJobs) await this.jobQueue();
    return Object.freeze({ db: database.knex, jobs: this.#jobs?.sender ?? noJobs, config: this.config() });
  }

  /** The job queue, without workers; its queues get the same settings the server gives them. */
  async jobQueue(): Promise<JobQueue<FederationContext>> {
    if (!this.#jobs) {
      const config = this.config();
      const database = await this.database();
      const logger = pino({ level: config.logLevel }, pino.destination(2));
      this.#jobs = await openJobQueue({
        url: database.url,
        definitions: jobDefinitionsFor(config, createMailer(config, logger)), // no workers here: the mailer is never used
        pollSeconds: config.jobPollSeconds,
        logger,
        runMaintenance: false,
        listenNotify: config.databaseUrl !== undefined,
      });
    }
    return this.#jobs;
  }

  /** Closes whatever was opened. */
  async close(): Promise<void> {
    await this.#jobs?.stop(1000);
    await this.#database?.close();
  }
}
