// An express-rate-limit store that keeps its counters in Postgres (the login_attempts table), so
// that any number of web processes share one count and a restart does not reset it. A small store
// of our own rather than a package: it uses the same connection, migrations and embedded database
// as everything else.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { DomainContext } from '../../domain/context.ts';
import { attemptsOf, clearAttempts, countAttempt, forgiveAttempt } from '../../domain/login-attempts.ts';

/** Counters under `prefix` (e.g. "ip:" or "account:") in the login_attempts table. */
export class PostgresThrottleStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly ctx: DomainContext;
  private windowMs = 60_000;

  constructor(ctx: DomainContext, prefix: string) {
    this.ctx = ctx;
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await attemptsOf(this.ctx, this.prefix + key);
    return count && { totalHits: count.hits, resetTime: count.resetAt };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const count = await countAttempt(this.ctx, this.prefix + key, this.windowMs);
    return { totalHits: count.hits, resetTime: count.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await forgiveAttempt(this.ctx, this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await clearAttempts(this.ctx, this.prefix + key);
  }
}
