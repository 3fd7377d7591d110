// Signed-in readers for the benchmark: a session row written straight into the session table, and
// the cookie express-session would have set for it (signed with the server's SESSION_SECRET).
import { createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** The SESSION_SECRET the benchmark gives Ostrakon. */
export const BENCH_SESSION_SECRET = 'benchmark-session-secret-0123456789abcdef';

/** Creates a two-week session for a user; returns the Cookie header value. */
export async function signIn(db: pg.Client, userId: number): Promise<string> {
  const sid = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + 14 * 24 * 3600 * 1000);
  const sess = { cookie: { originalMaxAge: 14 * 24 * 3600 * 1000, expires: expires.toISOString(), httpOnly: true, path: '/', sameSite: 'lax', secure: false }, userId };
  await db.query('INSERT INTO sessions (sid, sess, expire) VALUES ($1, $2, $3)', [sid, JSON.stringify(sess), expires]);
  const signature = createHmac('sha256', BENCH_SESSION_SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return `ostrakon.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}
