// The job queue (pg-boss in the same Postgres): sending jobs inside transactions, and running workers.
import { PgBoss } from 'pg-boss';
import type { JobResult } from 'pg-boss';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { DomainContext, JobHandler, JobSender } from '../domain/context.ts';

const BATCH_SIZE = 10;

export type JobDefinition = {
  handler: JobHandler;
  /** Retries with exponential backoff before the job is kept as failed. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** Cron expression for jobs that run on a schedule. */
  cron?: string;
};

export type JobQueue = {
  sender: JobSender;
  /** Starts workers for every registered job (ROLE=worker or all). */
  startWorkers(ctx: DomainContext): Promise<void>;
  /** Stops workers, letting claimed jobs finish within the timeout; unfinished ones run again later. */
  stop(timeoutMs?: number): Promise<void>;
};

// pg-boss runs its statements through this adapter when a job is sent inside a knex transaction:
// the transaction's own connection, so the job commits (or rolls back) with the data it refers to.
async function transactionAdapter(db: Knex) {
  const connection = (await db.client.acquireConnection()) as { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
  return { executeSql: (text: string, values?: unknown[]) => connection.query(text, values) as Promise<{ rows: any[] }> };
}

/** Connects pg-boss, creates the queues and returns a sender; workers start separately. */
export async function openJobQueue(options: {
  url: string;
  definitions: Readonly<Record<string, JobDefinition>>;
  pollSeconds: number;
  logger: Logger;
  runMaintenance: boolean;
  listenNotify: boolean;
}): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: options.url,
    schema: 'pgboss',
    max: 4,
    supervise: options.runMaintenance,
    schedule: options.runMaintenance,
    // Workers wake on NOTIFY where the server delivers it; the embedded socket does not.
    useListenNotify: options.listenNotify,
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const [name, definition] of Object.entries(options.definitions)) {
    await boss.createQueue(name, {
      retryLimit: definition.retryLimit,
      retryDelay: definition.retryDelaySeconds,
      retryBackoff: true,
      notify: options.listenNotify,
    });
  }

  const sender: JobSender = {
    async send(db, name, data) {
      const inTransaction = (db as Knex & { isTransaction?: boolean }).isTransaction === true;
      await boss.send(name, data, inTransaction ? { db: await transactionAdapter(db) } : {});
    },
  };

  return {
    sender,
    async startWorkers(ctx) {
      for (const [name, definition] of Object.entries(options.definitions)) {
        // Batches keep throughput up where workers only poll (embedded mode); each job is still
        // settled on its own, so one failure retries only that job.
        await boss.work<Record<string, unknown>>(
          name,
          { pollingIntervalSeconds: options.pollSeconds, batchSize: BATCH_SIZE, burstWhenBatchFull: true, perJobResults: true },
          async (jobs) => {
            const results: JobResult[] = [];
            for (const job of jobs) {
              try {
                await definition.handler(ctx, job.data ?? {});
                results.push({ id: job.id, status: 'completed' });
              } catch (error) {
                options.logger.warn({ err: error, job: job.name, id: job.id, retry: job.retryCount }, 'job failed');
                results.push({ id: job.id, status: 'failed', output: { message: error instanceof Error ? error.message : String(error) } });
              }
            }
            return results;
          },
        );
        if (definition.cron) await boss.schedule(name, definition.cron);
      }
    },
    async stop(timeoutMs = 10000) {
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}
