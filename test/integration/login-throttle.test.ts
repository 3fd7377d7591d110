// The sign-in throttle counts in Postgres: every web process of a site shares one count per account
// and per address, and restarting does not hand out a fresh allowance.
import { pino } from 'pino';
import assert from 'node:assert/strict';
import http from 'node:http';
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

// One HTTP exchange from a chosen loopback source address (127.0.0.2, 127.0.0.3 ...): distinct
// addresses to the server without any proxy header.
function requestFrom(localAddress: string, port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, localAddress, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

// A sign-in attempt as a script would make it: fetch the form (session and token), post it.
async function signInFrom(localAddress: string, port: number, nickname: string, password: string) {
  const form = await requestFrom(localAddress, port, 'GET', '/main/login', {});
  const cookie = (form.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  const token = /name="_csrf" value="([^"]*)"/.exec(form.text)![1]!;
  const body = new URLSearchParams({ _csrf: token, nickname, password }).toString();
  return requestFrom(localAddress, port, 'POST', '/main/login', { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body);
}

describe('password spraying from one address', () => {
  it('is stopped with 429 and Retry-After after a few failures across many accounts; another address is unaffected', async () => {
    const server = await startTestServer(); // the default limits
    cleanups.push(() => server.stop());
    const accounts = Array.from({ length: DEFAULT_LOGIN_LIMITS.perIpFailures + 5 }, (_, i) => `user${i}`);
    for (const nickname of accounts) await registeredClient(server.url, nickname, `${nickname}-own-password`);

    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (const nickname of accounts) {
      const answer = await signInFrom('127.0.0.2', server.port, nickname, 'Summer2026!');
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter ??= String(answer.headers['retry-after']);
    }
    const allowed = DEFAULT_LOGIN_LIMITS.perIpFailures;
    assert.deepEqual(statuses, [...Array(allowed).fill(401), ...Array(accounts.length - allowed).fill(429)], 'one password tried against every account: stopped after the per-address allowance');
    assert.ok(Number(retryAfter) > 60 && Number(retryAfter) <= DEFAULT_LOGIN_LIMITS.windowMs / 1000, `Retry-After: ${retryAfter}`);
    // Even the right password is refused from that address until the window ends...
    assert.equal((await signInFrom('127.0.0.2', server.port, 'user0', 'user0-own-password')).status, 429);
    // ...while another address signs in, and fails, as usual: no account was locked by the spray.
    assert.equal((await signInFrom('127.0.0.3', server.port, 'user0', 'user0-own-password')).status, 303);
    assert.equal((await signInFrom('127.0.0.3', server.port, 'user1', 'a wrong password')).status, 401);
    assert.equal((await signInFrom('127.0.0.3', server.port, 'user1', 'user1-own-password')).status, 303);
  });

  it('does not count successful sign-ins against the address', async () => {
    const server = await startTestServer({ loginLimits: { perIp: 100, perIpFailures: 3, perAccount: 100, windowMs: 60_000 } });
    cleanups.push(() => server.stop());
    await registeredClient(server.url, 'judy', 'judy-password');
    for (let i = 0; i < 6; i++) assert.equal((await signInFrom('127.0.0.4', server.port, 'judy', 'judy-password')).status, 303);
    for (let i = 0; i < 3; i++) assert.equal((await signInFrom('127.0.0.4', server.port, 'judy', 'not-her-password')).status, 401);
    assert.equal((await signInFrom('127.0.0.4', server.port, 'judy', 'judy-password')).status, 429);
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
    await loginAttemptJobHandlers[LOGIN_ATTEMPTS_PRUNE_JOB]!(server.runtime.ctx, {}, { retryCount: 0, retryLimit: 2, logger: pino({ level: 'silent' }) });
    assert.deepEqual(await db('login_attempts').whereLike('key', 'ip:192.0.2.%').pluck('key'), ['ip:192.0.2.2']);
  });
});
