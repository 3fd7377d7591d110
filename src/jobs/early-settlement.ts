// Marking jobs done one by one while the rest of their batch still runs. A worker that claims
// several deliveries at once (one fetch instead of several: the fetch of an ordered queue is
// pg-boss's most expensive statement) must not keep the quick ones "active" while a hung host holds
// up the slowest: an active job holds back the next job of its endpoint. So each job that finishes
// early is completed at once, in one statement with every other job of the queue that finished
// meanwhile (while one statement is in flight the next ones gather), fenced to the attempt claimed.
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';

/** A claimed attempt of a job: completing it leaves a later attempt of the same job alone. */
export type Attempt = { id: string; retryCount: number };

type Waiting = { attempt: Attempt; done: () => void };

/** Completes attempts of one queue's jobs, gathered into as few statements as possible; `complete` resolves once the statement has run. */
export function earlySettler(boss: Pick<PgBoss, 'complete'>, name: string, logger: Logger): { complete(attempt: Attempt): Promise<void> } {
  let waiting: Waiting[] = [];
  let flushing = false; // a statement is in flight (or about to be): later jobs wait for the next
  const flush = async () => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await boss.complete(name, batch.map((w) => w.attempt));
      } catch (error) {
        // The worker settles the whole batch when it ends: a job left active here is completed then.
        logger.warn({ err: error, job: name, jobs: batch.length }, 'could not mark finished jobs done early; they are marked when their batch ends');
      }
      for (const w of batch) w.done();
    }
    flushing = false;
  };
  return {
    complete(attempt) {
      return new Promise<void>((done) => {
        waiting.push({ attempt, done });
        if (flushing) return;
        flushing = true;
        // The rest of this turn's finished jobs join the statement.
        setImmediate(() => void flush());
      });
    },
  };
}
