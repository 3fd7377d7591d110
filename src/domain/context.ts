// What every domain function is given: the database, the job queue and the settings.
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';

export type { Db };

/** Puts a job on the queue; given a transaction, the job exists exactly when the transaction commits. */
export interface JobSender {
  send(db: Db, name: string, data: Record<string, unknown>): Promise<void>;
}

export type DomainContext = Readonly<{
  db: Db;
  jobs: JobSender;
  config: Config;
}>;

/** A handler for one kind of background job. */
export type JobHandler = (ctx: DomainContext, data: Record<string, unknown>) => Promise<void>;
