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

// Read for every request of a signed-in person: a named statement, parsed and planned once per
// connection (connect-pg-simple sends it as new text each time). Its pruning starts with the first
// write (a sign-in, or the first touch of a session), as it did with the first read.
const SESSION_BY_ID = 'SELECT sess FROM sessions WHERE sid = $1 AND expire >= now()';

class ThrottledPgStore extends PgStore {
  readonly #touched = new Map<string, number>();
  readonly #pool: pg.Pool;
  readonly #named: boolean;

  constructor(options: ConstructorParameters<typeof PgStore>[0] & { pool: pg.Pool }, named: boolean) {
    super(options);
    this.#pool = options.pool;
    this.#named = named;
  }

  override get(sid: string, done: (err: unknown, session?: SessionData | null) => void): void {
    const query = this.#named ? { name: 'ostrakon_session_by_id', text: SESSION_BY_ID, values: [sid] } : { text: SESSION_BY_ID, values: [sid] };
    this.#pool.query(query).then(
      (result) => {
        const sess = (result.rows[0] as { sess?: unknown } | undefined)?.sess;
        if (sess === undefined || sess === null) return done(null, null);
        try {
          done(null, (typeof sess === 'string' ? JSON.parse(sess) : sess) as SessionData);
        } catch {
          this.destroy(sid, (error) => done(error ?? null, null)); // unreadable: gone, as connect-pg-simple does
        }
      },
      (error: unknown) => done(error),
    );
  }

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

/**
 * Sessions in the `sessions` table, pruned every 15 minutes. `sharedSession`: the pool's
 * connections share one server session (the embedded database), so statements go unnamed.
 */
export function createSessionStore(pool: pg.Pool, sharedSession = false): Store & { close(): void } {
  return new ThrottledPgStore({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60 }, !sharedSession);
}
