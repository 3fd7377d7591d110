// Hosts that deliveries are failing to reach, and the streak each is in.
import type { Knex } from 'knex';

export type HostStreak = { host: string; failingSince: Date; failures: number; lastAttemptAt: Date; lastError: string };

/** A host row as a record. */
export function toStreak(row: Record<string, unknown>): HostStreak {
  return {
    host: row.host as string,
    failingSince: new Date(row.failing_since as string | Date),
    failures: Number(row.failures),
    lastAttemptAt: new Date(row.last_attempt_at as string | Date),
    lastError: row.last_error as string,
  };
}

/** Notes an attempt on a failing host unless one was made within `seconds`; whether this caller may make it. */
export async function claimHostAttempt(db: Knex, host: string, seconds: number): Promise<boolean> {
  const rows = await db('delivery_hosts')
    .where({ host })
    .where('last_attempt_at', '<', db.raw(`now() - make_interval(secs => ?)`, [seconds]))
    .update({ last_attempt_at: db.fn.now() })
    .returning('host');
  return rows.length === 1;
}

/** Adds a failure to the host's streak (starting one when it had none). */
export async function recordHostFailure(db: Knex, host: string, error: string): Promise<void> {
  await db.raw(
    `INSERT INTO delivery_hosts (host, failing_since, last_error) VALUES (?, now(), ?)
     ON CONFLICT (host) DO UPDATE SET failures = delivery_hosts.failures + 1, last_attempt_at = now(), last_error = excluded.last_error`,
    [host, error.slice(0, 500)],
  );
}

/** Ends the host's streak; whether it had one. */
export async function clearHostStreak(db: Knex, host: string): Promise<boolean> {
  return (await db('delivery_hosts').where({ host }).delete()) > 0;
}
