// The sign-in throttle counts in Postgres: every web process of a site shares one count per account
// and per address, and restarting does not hand out a fresh allowance.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LOGIN_ATTEMPTS_PRUNE_JOB } from '../../src/domain/jobs.ts';
import { loginAttemptJobHandlers } from '../../src/domain/login-attempts.ts';
import { DEFAULT_LOGIN_LIMITS } from '../../src/web/middleware/throttle.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startServerProcess } from '../helpers/process.ts';
import type { ServerProcess } from '../helpers/process.ts';
import { startTestServer } from '../helpers/server.ts';
import { registeredClient, WebClient } from '../helpers/web-client.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const failedLogin = (proc: ServerProcess, attempt: number) =>
  new WebClient(proc.url).post('/main/login', { nickname: 'ivan', password: `wrong-password-${attempt}` });

describe('the sign-in throttle across processes', () => {
  it('counts failed sign-ins on every web process of a site together, and remembers them across a restart', async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip('needs DATABASE_URL: two processes cannot open one embedded database');
      return;
    }
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const env = { DATABASE_URL: database.url!, ROLE: 'web' };
    const start = async () => {
      const proc = await startServerProcess(env);
      cleanups.push(() => proc.stop(5_000));
      return proc;
    };
    // Side by side on a new database, as `docker compose up --scale web=2` would: they take turns migrating.
    const [first, second] = await Promise.all([start(), start()]);
    await registeredClient(first.url, 'ivan', 'ivan-password');

    // The allowance, spread over both processes: each alone would allow it again in a memory store.
    for (let attempt = 0; attempt < DEFAULT_LOGIN_LIMITS.perAccount; attempt++) {
      const page = await failedLogin(attempt % 2 === 0 ? first : second, attempt);
      assert.equal(page.status, 401, `attempt ${attempt + 1}`);
    }
    for (const proc of [first, second]) {
      const blocked = await new WebClient(proc.url).post('/main/login', { nickname: 'ivan', password: 'ivan-password' });
      assert.equal(blocked.status, 429, proc.url);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    }

    assert.deepEqual(await first.stop(), { code: 0, signal: null });
    const restarted = await startServerProcess(env, { port: first.port });
    cleanups.push(() => restarted.stop(5_000));
    assert.equal((await failedLogin(restarted, 99)).status, 429, 'a restart keeps the count');
  });
});

describe('the sign-in counters', () => {
  it('are deleted by the hourly upkeep once their window has ended, and kept while it lasts', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const db = server.runtime.ctx.db;
    await db('login_attempts').insert([
      { key: 'ip:192.0.2.1', hits: 3, reset_at: db.raw(`now() - interval '1 minute'`) },
      { key: 'ip:192.0.2.2', hits: 3, reset_at: db.raw(`now() + interval '10 minutes'`) },
    ]);
    await loginAttemptJobHandlers[LOGIN_ATTEMPTS_PRUNE_JOB]!(server.runtime.ctx, {}, { retryCount: 0, retryLimit: 2 });
    assert.deepEqual(await db('login_attempts').whereLike('key', 'ip:192.0.2.%').pluck('key'), ['ip:192.0.2.2']);
  });
});
