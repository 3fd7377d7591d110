// The job queue (pg-boss in the same Postgres): sending jobs inside transactions, and running workers.
import { PgBoss } from 'pg-boss';
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { LoggedJobFailure } from '../domain/context.ts';
import type { BatchJobHandler, DomainContext, JobHandler, JobOptions, JobSender } from '../domain/context.ts';
import { earlySettler } from './early-settlement.ts';
import { afterCommit, listenForWakeUps, wakeUpNotifier, wakeWorkers } from './wake-ups.ts';

const BATCH_SIZE = 10;

// Workers are woken when jobs are queued (see wake-ups.ts) and, for queues that need it, polled
// every JOB_POLL_SECONDS by waking one of them; each worker's own poll is only a backstop.
const BACKSTOP_POLL_SECONDS = 30;

export type JobDefinition<C extends DomainContext = DomainContext> = {
  handler: JobHandler<C>;
  /** Handles a claimed batch at once where that is cheaper (first attempts only); when it throws, each job is handled on its own. */
  batchHandler?: BatchJobHandler<C>;
  /** Retries with exponential backoff before the job is kept as failed. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** Upper bound of the backoff between retries, in seconds. */
  retryDelayMaxSeconds?: number;
  /** A claimed job not finished within this time counts as failed (its worker died) and is retried. */
  expireInSeconds?: number;
  /** Jobs of this queue run at once in one process, and at most this many of one group. */
  localConcurrency?: number;
  localGroupConcurrency?: number;
  /** Jobs one worker claims at a time (default 10); 1 where jobs may be slow, so none waits behind another (or see `concurrent`). */
  batchSize?: number;
  /**
   * The jobs of a claimed batch run at once, and each one that finishes before the others is marked
   * done at once: a batch costs one fetch, and a slow job holds up no other (early-settlement.ts).
   */
  concurrent?: boolean;
  /** Poll every JOB_POLL_SECONDS even where wake-ups arrive, so that delayed retries start on time. */
  pollForRetries?: boolean;
  /** Cron expression for jobs that run on a schedule. */
  cron?: string;
  /**
   * Jobs sent with one key run one at a time, first in first out; a job in retry holds back the
   * ones behind it, other keys go on (pg-boss's key_strict_fifo policy). Fixed when the queue is
   * created: an existing queue cannot become ordered, so an ordered queue needs a new name.
   */
  ordered?: boolean;
  /**
   * Worked only between resume(name) and pause(name), by the process that holds what the jobs
   * need (the chat bot's connection); meanwhile they wait in the queue.
   */
  onDemand?: boolean;
};

export type JobQueue<C extends DomainContext = DomainContext> = {
  sender: JobSender;
  /** Starts workers for every registered job but the on-demand ones (ROLE=worker or all). */
  startWorkers(ctx: C): Promise<void>;
  /** Starts working an on-demand queue (after startWorkers); nothing if it is worked already. */
  resume(name: string): Promise<void>;
  /** Stops working an on-demand queue; a job running finishes (or fails, and is retried later). */
  pause(name: string): Promise<void>;
  /** Puts every job that failed for good back on its queue, with one more attempt; returns how many. */
  retryFailed(): Promise<number>;
  /** Stops claiming jobs and waits up to timeoutMs for running ones; those still running then are failed, so they are retried. Sending still works. */
  stopWorkers(timeoutMs: number): Promise<void>;
  /** Stops workers (as stopWorkers) and closes the queue's connections. */
  stop(timeoutMs?: number): Promise<void>;
};

const FIND_PAGE = 1000;

// pg-boss finds jobs by queue, oldest first, whatever their state: read the queue page by page
// and retry its failed jobs (retry() itself only touches jobs still in the failed state).
async function retryFailedJobs(boss: PgBoss, name: string): Promise<number> {
  let retried = 0;
  let after: string | undefined;
  for (;;) {
    const jobs = await boss.findJobs(name, { limit: FIND_PAGE, ...(after ? { after } : {}) });
    const failed = jobs.filter((job) => job.state === 'failed').map((job) => job.id);
    if (failed.length > 0) {
      const result = (await boss.retry(name, failed)) as { affected?: number };
      retried += result.affected ?? 0;
    }
    if (jobs.length < FIND_PAGE) return retried;
    after = jobs[jobs.length - 1]!.id;
  }
}

// pg-boss runs its statements through this adapter when a job is sent inside a knex transaction:
// the transaction's own connection, so the job commits (or rolls back) with the data it refers to.
async function transactionAdapter(db: Knex) {
  const connection = (await db.client.acquireConnection()) as { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
  return { executeSql: (text: string, values?: unknown[]) => connection.query(text, values) as Promise<{ rows: any[] }> };
}

/** Connects pg-boss, creates the queues and returns a sender; workers start separately. */
export async function openJobQueue<C extends DomainContext>(options: {
  url: string;
  definitions: Readonly<Record<string, JobDefinition<C>>>;
  pollSeconds: number;
  logger: Logger;
  runMaintenance: boolean;
  /** LISTEN/NOTIFY wake-ups between processes; off for the embedded database, whose socket does not deliver them. */
  listenNotify: boolean;
  /** A running job's heartbeat lapses after this long when its worker dies; it is then failed and retried. Unset: queues keep theirs. */
  recoverySeconds?: number;
}): Promise<JobQueue<C>> {
  const { listenNotify } = options;
  const boss = new PgBoss({
    connectionString: options.url,
    schema: 'pgboss',
    max: 4,
    connectionTimeoutMillis: 5000, // a database that is down fails fast rather than holding a worker
    supervise: options.runMaintenance,
    schedule: options.runMaintenance,
    // Workers are woken by wake-ups.ts, never by a NOTIFY inside the transaction that queues a job.
    useListenNotify: false,
    // The supervisor's queue monitor fails jobs whose heartbeat lapsed (a worker killed mid-job);
    // without heartbeats such a job would wait out its 15-minute expiry, and the monitor runs
    // only once a minute by default.
    ...(options.recoverySeconds !== undefined ? { superviseIntervalSeconds: options.recoverySeconds, monitorIntervalSeconds: options.recoverySeconds } : {}),
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const [name, definition] of Object.entries(options.definitions)) {
    const policy = {
      // An ordered queue gets one spare attempt beyond its handler's last: a job that failed for
      // good would hold back its key until requeued, so a worker killed during the last attempt
      // must leave the job to run (and be settled by its handler) once more.
      retryLimit: definition.retryLimit + (definition.ordered ? 1 : 0),
      retryDelay: definition.retryDelaySeconds,
      retryBackoff: true,
      ...(definition.retryDelayMaxSeconds !== undefined ? { retryDelayMax: definition.retryDelayMaxSeconds } : {}),
      ...(definition.expireInSeconds !== undefined ? { expireInSeconds: definition.expireInSeconds } : {}),
      ...(options.recoverySeconds !== undefined ? { heartbeatSeconds: options.recoverySeconds } : {}),
      notify: false,
    };
    await boss.createQueue(name, { ...policy, ...(definition.ordered ? { policy: 'key_strict_fifo' } : {}) });
    await boss.updateQueue(name, policy); // an existing queue takes up a changed retry policy too
  }

  // Once queued jobs are committed: this process's workers are woken directly; without workers
  // here (a web process, the command line), those of other processes through a NOTIFY.
  let workersHere = false;
  const notifyElsewhere = listenNotify ? wakeUpNotifier(boss, options.logger) : undefined;
  // Each woken worker claims up to a batch: waking one per job would send the rest to find nothing.
  const wakeFor = (name: string, count: number) => wakeWorkers(boss, name, Math.ceil(count / (options.definitions[name]?.batchSize ?? BATCH_SIZE)));
  const announce = (name: string, count: number) => {
    if (workersHere) wakeFor(name, count);
    else notifyElsewhere?.(name, count);
  };
  const connectionFor = async (db: Knex) => ((db as Knex & { isTransaction?: boolean }).isTransaction === true ? { db: await transactionAdapter(db) } : {});
  const placement = (jobOptions: JobOptions) => ({
    ...(jobOptions.group ? { group: { id: jobOptions.group } } : {}),
    ...(jobOptions.key ? { singletonKey: jobOptions.key } : {}),
  });

  const sender: JobSender = {
    async send(db, name, data, jobOptions = {}) {
      const connection = await connectionFor(db);
      if (jobOptions.coalesce && jobOptions.key) {
        // A waiting job (created, or in retry) with the same key and fields will do the same work.
        const waiting = await boss.findJobs(name, { key: jobOptions.key, data: jobOptions.coalesce, queued: true, limit: 1, ...connection });
        if (waiting.length > 0) return;
      }
      await boss.send(name, data, { ...connection, ...placement(jobOptions) });
      afterCommit(db, () => announce(name, 1));
    },
    async sendMany(db, name, jobs) {
      if (jobs.length === 0) return;
      // One statement for them all (a notice to a hundred servers is a hundred jobs).
      await boss.insert(
        name,
        jobs.map((job) => ({ data: job.data, ...placement(job.options ?? {}) })),
        await connectionFor(db),
      );
      afterCommit(db, () => announce(name, jobs.length));
    },
  };

  // Where the workers of on-demand queues get their context, once startWorkers has run.
  let workerContext: C | undefined;
  const working = new Set<string>();

  // Starts pg-boss workers for one queue.
  async function workOn(ctx: C, name: string, definition: JobDefinition<C>): Promise<void> {
    const concurrency = {
      ...(definition.localConcurrency !== undefined ? { localConcurrency: definition.localConcurrency } : {}),
      ...(definition.localGroupConcurrency !== undefined ? { localGroupConcurrency: definition.localGroupConcurrency } : {}),
    };
    // Batches keep throughput up where workers only poll (embedded mode); each job is still
    // settled on its own, so one failure retries only that job.
    const runOne = async (job: JobWithMetadata<Record<string, unknown>>): Promise<JobResult> => {
      try {
        await definition.handler(ctx, job.data ?? {}, { retryCount: job.retryCount, retryLimit: definition.retryLimit, logger: options.logger });
        return { id: job.id, status: 'completed' };
      } catch (error) {
        if (!(error instanceof LoggedJobFailure)) options.logger.warn({ err: error, job: job.name, id: job.id, retry: job.retryCount }, 'job failed');
        return { id: job.id, status: 'failed', output: { message: error instanceof Error ? error.message : String(error) } };
      }
    };
    const settler = definition.concurrent ? earlySettler(boss, name, options.logger) : undefined;
    const handle = async (jobs: JobWithMetadata<Record<string, unknown>>[]): Promise<JobResult[]> => {
      // A full batch suggests more are waiting: one more worker of this queue looks, and so on.
      if (jobs.length >= workOptions.batchSize) wakeWorkers(boss, name, 1, true);
      const results: JobResult[] = [];
      // A claimed batch comes back in no particular order: handle it in the order it was queued,
      // so that work queued in order (notices to distribute) is passed on in order.
      const queued = [...jobs].sort((x, y) => new Date(x.createdOn).getTime() - new Date(y.createdOn).getTime());
      if (definition.batchHandler && queued.length > 1 && queued.every((job) => job.retryCount === 0)) {
        try {
          await definition.batchHandler(ctx, queued.map((job) => job.data ?? {}));
          return queued.map((job) => ({ id: job.id, status: 'completed' as const }));
        } catch (error) {
          options.logger.warn({ err: error, job: name, jobs: queued.length }, 'a batch of jobs failed together; handling each on its own');
        }
      }
      if (settler && queued.length > 1) {
        let running = queued.length;
        return Promise.all(
          queued.map(async (job) => {
            const result = await runOne(job);
            running--;
            // Done before the rest of its batch: marked done now, so that its endpoint's next job
            // need not wait for the slowest of the batch. The last one is left to pg-boss's settlement.
            if (result.status === 'completed' && running > 0) await settler.complete({ id: job.id, retryCount: job.retryCount });
            return result;
          }),
        );
      }
      for (const job of queued) results.push(await runOne(job));
      return results;
    };
    const workOptions = { pollingIntervalSeconds: Math.max(BACKSTOP_POLL_SECONDS, options.pollSeconds), batchSize: definition.batchSize ?? BATCH_SIZE, burstWhenBatchFull: true, perJobResults: true, includeMetadata: true, ...concurrency };
    // pg-boss never bursts at a batch size of one (every fetch counts as "full"): each worker would
    // take one job per polling interval, and 100 deliveries would take 100 / 8 x 2 s. After a job,
    // the workers of this queue that hold one (this one among them) ask for the next at once; a
    // fetch that finds nothing falls back to the polling interval, and idle workers are left be.
    // The same after a concurrent batch that was not full: in an ordered queue the next job of an
    // endpoint only becomes fetchable once the one before it is done.
    const wakeBusyWorkers = () => {
      for (const worker of boss.getWipData()) if (worker.name === name && worker.count > 0) boss.notifyWorker(worker.id);
    };
    await boss.work<Record<string, unknown>>(name, workOptions, async (jobs) => {
      const results = await handle(jobs as JobWithMetadata<Record<string, unknown>>[]); // includeMetadata: the whole rows
      if (workOptions.batchSize === 1 || definition.concurrent) wakeBusyWorkers();
      return results;
    });
    if (definition.cron) await boss.schedule(name, definition.cron);
  }

  let pollTimer: NodeJS.Timeout | undefined;
  let stopListening: (() => Promise<void>) | undefined;
  const stopWaking = async () => {
    clearInterval(pollTimer);
    await stopListening?.();
    stopListening = undefined;
  };

  return {
    sender,
    async startWorkers(ctx) {
      workerContext = ctx;
      const names = Object.keys(options.definitions);
      for (const [name, definition] of Object.entries(options.definitions)) if (!definition.onDemand) await workOn(ctx, name, definition);
      workersHere = true;
      // One poll per queue and interval, by waking one idle worker: for delayed retries, and for
      // everything where no wake-ups come from other processes (the embedded database). A queue
      // nobody works (an on-demand one, paused) has no worker to wake.
      const polled = names.filter((name) => options.definitions[name]!.pollForRetries || !listenNotify);
      pollTimer = setInterval(() => {
        for (const name of polled) wakeWorkers(boss, name, 1, true);
      }, options.pollSeconds * 1000);
      pollTimer.unref();
      if (listenNotify) {
        stopListening = await listenForWakeUps(
          { connectionString: options.url, connectionTimeoutMillis: 5000, keepAlive: true },
          {
            onWake: (name, count) => wakeFor(name, count),
            onGap: () => names.forEach((name) => wakeWorkers(boss, name, 1, true)),
          },
          options.logger,
        );
      }
    },
    async resume(name) {
      const definition = options.definitions[name];
      if (!workerContext || !definition || working.has(name)) return;
      working.add(name);
      await workOn(workerContext, name, definition);
    },
    async pause(name) {
      if (!working.delete(name)) return;
      await boss.offWork(name, { wait: false });
    },
    async retryFailed() {
      let retried = 0;
      for (const name of Object.keys(options.definitions)) retried += await retryFailedJobs(boss, name);
      return retried;
    },
    async stopWorkers(timeoutMs) {
      workerContext = undefined; // on-demand queues stay stopped too
      await stopWaking();
      // close: false keeps the pool, so requests still being answered can enqueue jobs.
      await boss.stop({ graceful: true, timeout: timeoutMs, close: false });
    },
    async stop(timeoutMs = 10000) {
      workerContext = undefined;
      await stopWaking();
      await boss.stop({ graceful: true, timeout: timeoutMs, close: false });
      await boss.stop({ close: true });
    },
  };
}
