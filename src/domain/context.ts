// What every domain function is given: the database, the job queue and the settings.
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';

export type { Db };

/** Puts a job on the queue; given a transaction, the job exists exactly when the transaction commits. */
export interface JobSender {
  send(db: Db, name: string, data: Record<string, unknown>, options?: JobOptions): Promise<void>;
}

/** Per-job options: `group` limits how many jobs of one group (e.g. one remote host) run at once. */
export type JobOptions = { group?: string };

/** Which attempt a job handler is running: retryCount reaches retryLimit on the last one. */
export type JobAttempt = { retryCount: number; retryLimit: number };

export type DomainContext = Readonly<{
  db: Db;
  jobs: JobSender;
  config: Config;
}>;

/** A handler for one kind of background job; layers above the domain may hand their handlers a richer context. */
export type JobHandler<C extends DomainContext = DomainContext> = (ctx: C, data: Record<string, unknown>, attempt: JobAttempt) => Promise<void>;
