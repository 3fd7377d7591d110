// The session store: connect-pg-simple on its own pool, with its "touch" (the expiry bump that
// rolling sessions ask for after every response) written at most once per TOUCH_INTERVAL_MS per
// session and process, instead of an UPDATE on every page a signed-in person views.
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { SessionData, Store } from 'express-session';
import type pg from 'pg';

/** A session's expiry in the database may lag its two-week cookie by at most this much. */
export const TOUCH_INTERVAL_MS = 10 * 60 * 1000;
const REMEMBERED = 10_000; // sessions whose last touch this process remembers before starting afresh

const PgStore = connectPgSimple(session);

class ThrottledPgStore extends PgStore {
  readonly #touched = new Map<string, number>();

  override touch(sid: string, sess: SessionData, done?: (err?: unknown) => void): void {
    const now = Date.now();
    const last = this.#touched.get(sid);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) {
      done?.();
      return;
    }
    if (this.#touched.size >= REMEMBERED) this.#touched.clear(); // costs one extra touch per session, no more
    this.#touched.set(sid, now);
    super.touch(sid, sess, done as (err?: Error | null) => void);
  }

  override destroy(sid: string, done?: (err?: unknown) => void): void {
    this.#touched.delete(sid);
    super.destroy(sid, done as (err?: Error | null) => void);
  }
}

/** Sessions in the `sessions` table, pruned every 15 minutes. */
export function createSessionStore(pool: pg.Pool): Store & { close(): void } {
  return new ThrottledPgStore({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
}
