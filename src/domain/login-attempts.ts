// Sign-in attempts, counted per key (an address or an account) in windows, shared by every process.
import { decrementAttempts, deleteAttempts, deleteExpiredAttempts, getAttempts, incrementAttempts } from '../db/login-attempts.ts';
import type { AttemptCount } from '../db/login-attempts.ts';
import type { DomainContext, JobHandler } from './context.ts';
import { LOGIN_ATTEMPTS_PRUNE_JOB } from './jobs.ts';

export type { AttemptCount };

/** Counts an attempt for key and returns the count in its current window. */
export function countAttempt(ctx: DomainContext, key: string, windowMs: number): Promise<AttemptCount> {
  return incrementAttempts(ctx.db, key, windowMs);
}

/** The count in key's current window, if one is open. */
export function attemptsOf(ctx: DomainContext, key: string): Promise<AttemptCount | undefined> {
  return getAttempts(ctx.db, key);
}

/** Takes back one attempt for key. */
export function forgiveAttempt(ctx: DomainContext, key: string): Promise<void> {
  return decrementAttempts(ctx.db, key);
}

/** Forgets key's attempts. */
export function clearAttempts(ctx: DomainContext, key: string): Promise<void> {
  return deleteAttempts(ctx.db, key);
}

const pruneAttempts: JobHandler = async (ctx) => {
  await deleteExpiredAttempts(ctx.db);
};

/** The login-attempt upkeep jobs, by name. */
export const loginAttemptJobHandlers: Readonly<Record<string, JobHandler>> = {
  [LOGIN_ATTEMPTS_PRUNE_JOB]: pruneAttempts,
};
