// Counters of sign-in attempts, one row per key, each with the end of its window.
import type { Knex } from 'knex';

export type AttemptCount = { hits: number; resetAt: Date };

/** Counts one attempt for key (starting a new window of windowMs when the last one has ended). */
export async function incrementAttempts(db: Knex, key: string, windowMs: number): Promise<AttemptCount> {
  // One statement, so that concurrent attempts from several processes all count.
  const result = await db.raw(
    `INSERT INTO login_attempts AS a (key, hits, reset_at)
     VALUES (?, 1, now() + make_interval(secs => ?))
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN a.reset_at <= now() THEN 1 ELSE a.hits + 1 END,
       reset_at = CASE WHEN a.reset_at <= now() THEN excluded.reset_at ELSE a.reset_at END
     RETURNING hits, reset_at`,
    [key, windowMs / 1000],
  );
  const row = result.rows[0] as { hits: number; reset_at: Date };
  return { hits: Number(row.hits), resetAt: row.reset_at };
}

/** The current count for key, or undefined when its window has ended. */
export async function getAttempts(db: Knex, key: string): Promise<AttemptCount | undefined> {
  const row = (await db('login_attempts').where({ key }).where('reset_at', '>', db.fn.now()).first('hits', 'reset_at')) as
    | { hits: number; reset_at: Date }
    | undefined;
  return row ? { hits: Number(row.hits), resetAt: row.reset_at } : undefined;
}

/** Takes back one attempt (express-rate-limit's skipSuccessfulRequests does this after a success). */
export async function decrementAttempts(db: Knex, key: string): Promise<void> {
  await db('login_attempts').where({ key }).where('reset_at', '>', db.fn.now()).update({ hits: db.raw('greatest(hits - 1, 0)') });
}

/** Forgets key's attempts. */
export async function deleteAttempts(db: Knex, key: string): Promise<void> {
  await db('login_attempts').where({ key }).delete();
}

/** Deletes counters whose window has ended; returns how many. */
export async function deleteExpiredAttempts(db: Knex): Promise<number> {
  return db('login_attempts').where('reset_at', '<=', db.fn.now()).delete();
}
