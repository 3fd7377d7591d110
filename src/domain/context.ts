// What every domain function is given: the database, the job queue and the settings.
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';

export type { Db };

/** Puts a job on the queue; given a transaction, the job exists exactly when the transaction commits. */
export interface JobSender {
  send(db: Db, name: string, data: Record<string, unknown>, options?: JobOptions): Promise<void>;
  /** Puts many jobs of one name on the queue in one statement (`coalesce` is not available here). */
  sendMany(db: Db, name: string, jobs: readonly { data: Record<string, unknown>; options?: Omit<JobOptions, 'coalesce'> }[]): Promise<void>;
}

/**
 * Per-job options: `group` limits how many jobs of one group (e.g. one remote host) run at once;
 * on a queue defined as ordered, jobs of one `key` (e.g. one remote endpoint) run one at a time, in
 * the order they were queued, a job being retried holding back those behind it; `coalesce` skips
 * queueing when a job of this name and key that has not started yet holds these fields (it will do).
 */
export type JobOptions = { group?: string; key?: string; coalesce?: Record<string, unknown> };

/** Where a job handler writes what went wrong (pino's logger fits). */
export type JobLogger = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
};

/** Which attempt a job handler is running (retryCount reaches retryLimit on the last one), and its logger. */
export type JobAttempt = { retryCount: number; retryLimit: number; logger: JobLogger };

/** Thrown by a handler that has already logged why it failed: the queue retries the job without logging it again. */
export class LoggedJobFailure extends Error {}

export type DomainContext = Readonly<{
  db: Db;
  jobs: JobSender;
  config: Config;
}>;

/** A handler for one kind of background job; layers above the domain may hand their handlers a richer context. */
export type JobHandler<C extends DomainContext = DomainContext> = (ctx: C, data: Record<string, unknown>, attempt: JobAttempt) => Promise<void>;

/** A handler for a whole batch of jobs of one kind at once (one statement for many); the queue falls back to the per-job handler when it throws. */
export type BatchJobHandler<C extends DomainContext = DomainContext> = (ctx: C, batch: Record<string, unknown>[]) => Promise<void>;
