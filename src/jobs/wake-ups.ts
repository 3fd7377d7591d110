// Waking job workers when work arrives. pg-boss can wake them itself with a NOTIFY inside the
// statement that queues the job, but Postgres commits every transaction that notified one after
// another, each waiting for the previous one's WAL flush (a global lock held through the commit):
// every request that queued a job was serialized with every other one (2,400 commits/s became
// 560-1,000 here). So jobs are queued without NOTIFY, and once the transaction has committed the
// sender wakes the workers itself: directly when they run in its own process, else with a NOTIFY
// of its own, outside any transaction (a notification alone writes no WAL and waits for no flush).
// Workers also wake only as many of themselves as there are jobs, where pg-boss wakes all of a
// queue's workers for each job (32 fetches for one delivery).
import type { Knex } from 'knex';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';

/** The LISTEN/NOTIFY channel; a notification's payload is "<count> <queue name>". */
export const WAKE_CHANNEL = 'ostrakon_jobs';

type Workers = Pick<PgBoss, 'getWipData' | 'notifyWorker'>;

/**
 * Wakes up to `count` idle workers of the queue `name`; when fewer are idle (and `idleOnly` is not
 * set), that many busy ones fetch again as soon as they finish instead of waiting for their next poll.
 */
export function wakeWorkers(workers: Workers, name: string, count: number, idleOnly = false): void {
  const ofQueue = workers.getWipData().filter((worker) => worker.name === name);
  let left = count;
  for (const worker of ofQueue) {
    if (left === 0) return;
    if (worker.count === 0) {
      workers.notifyWorker(worker.id);
      left--;
    }
  }
  if (idleOnly) return;
  for (const worker of ofQueue) {
    if (left === 0) return;
    if (worker.count > 0) {
      workers.notifyWorker(worker.id);
      left--;
    }
  }
}

/**
 * Calls `then` once the transaction `db` belongs to has committed (the outermost one: a savepoint's
 * release commits nothing yet); at once when `db` is no transaction; never after a rollback.
 */
export function afterCommit(db: Knex, then: () => void): void {
  let trx = db as Knex.Transaction;
  if (trx.isTransaction !== true) return then();
  while (trx.parentTransaction) trx = trx.parentTransaction;
  trx.executionPromise.then(then, () => {});
}

/** Collects wake-ups for worker processes elsewhere and sends them as NOTIFYs, one statement per tick. */
export function wakeUpNotifier(boss: Pick<PgBoss, 'getDb'>, logger: Logger): (name: string, count: number) => void {
  let pending = new Map<string, number>();
  const flush = () => {
    const payloads = [...pending].map(([name, count]) => `${count} ${name}`);
    pending = new Map();
    // Lost wake-ups only delay the jobs until a worker polls: worth a warning, not a failure.
    boss
      .getDb()
      .executeSql('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [WAKE_CHANNEL, payloads])
      .catch((error: unknown) => logger.warn({ err: error }, 'could not wake the job workers; they find the jobs when they next poll'));
  };
  return (name, count) => {
    if (pending.size === 0) setImmediate(flush);
    pending.set(name, (pending.get(name) ?? 0) + count);
  };
}

/**
 * Listens on WAKE_CHANNEL and calls `onWake` for each notification; after the connection was lost
 * and made again, `onGap` (notifications sent meanwhile are gone). Resolves once the first attempt
 * to listen succeeded or failed (then it tries again each second), with a function that stops it.
 */
export async function listenForWakeUps(
  connection: pg.ClientConfig,
  handlers: { onWake(name: string, count: number): void; onGap(): void },
  logger: Logger,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (afterLoss: boolean) => {
    const next = new pg.Client(connection);
    const lost = (error?: unknown) => {
      if (client !== next) return;
      client = undefined;
      next.end().catch(() => {});
      if (stopped) return;
      logger.warn({ err: error }, 'lost the connection that wakes job workers; connecting again');
      retry = setTimeout(() => void connect(true), 1000);
    };
    client = next;
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      const match = /^(\d+) (.+)$/.exec(message.payload ?? '');
      if (match) handlers.onWake(match[2]!, Number(match[1]));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${WAKE_CHANNEL}`);
      if (afterLoss) handlers.onGap();
    } catch (error) {
      lost(error);
    }
  };
  await connect(false);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const last = client;
    client = undefined;
    await last?.end().catch(() => {});
  };
}
