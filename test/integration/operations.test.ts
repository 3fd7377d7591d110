// Running in production, tested on the real server process: health probes, request logs without
// secrets, LOG_LEVEL, ROLE=web|worker, TRUST_PROXY with an https PUBLIC_URL, slow clients, body limits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { startServerProcess } from '../helpers/process.ts';
import type { ServerProcess } from '../helpers/process.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import type { RawRequest } from '../helpers/raw-http.ts';
import { waitFor } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'Sup3r-Secret-Passw0rd!';
const cleanups: Array<() => Promise<unknown>> = [];
let database: TestDatabase;
let proc: ServerProcess;
let slowloris: RawRequest;
let slowlorisSince: number;

async function startOnNewDatabase(env: Record<string, string> = {}): Promise<{ proc: ServerProcess; database: TestDatabase }> {
  const db = await createTestDatabase();
  const started = await startServerProcess({ ...(db.url ? { DATABASE_URL: db.url } : {}), ...env });
  cleanups.push(async () => {
    await started.stop(5_000);
    await db.drop();
  });
  return { proc: started, database: db };
}

before(async () => {
  ({ proc, database } = await startOnNewDatabase());
  // A client that sends half a request head and then nothing: the server must not keep it forever.
  slowloris = await rawRequest(proc.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  slowlorisSince = Date.now();
});
after(async () => {
  slowloris?.destroy();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('health probes', () => {
  it('answers /healthz and /readyz in plain text, without a log line or a session', async () => {
    for (const [path, body] of [['/healthz', 'ok'], ['/readyz', 'ready']] as const) {
      const response = await fetch(`${proc.url}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal((await response.text()).trim(), body);
      assert.equal(response.headers.getSetCookie().length, 0);
    }
    await fetch(`${proc.url}/`); // a page is logged, the probes before it were not
    await proc.waitForLog((entry) => (entry.req as { url?: string } | undefined)?.url === '/');
    assert.ok(!proc.entries().some((entry) => /z$/.test(String((entry.req as { url?: string } | undefined)?.url))), 'probes are not logged');
  });

  it('says not ready while migrations are pending', async (t) => {
    if (!database.url) {
      t.skip('needs DATABASE_URL to change the migration table under a running server');
      return;
    }
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM knex_migrations ORDER BY id DESC LIMIT 1');
      await client.query('DELETE FROM knex_migrations WHERE name = $1', [rows[0]!.name]);
      const response = await fetch(`${proc.url}/readyz`);
      assert.equal(response.status, 503);
      assert.match(await response.text(), /migrations are pending/);
      await client.query('INSERT INTO knex_migrations (name, batch, migration_time) VALUES ($1, 1, now())', [rows[0]!.name]);
      assert.equal((await fetch(`${proc.url}/readyz`)).status, 200);
    } finally {
      await client.end();
    }
  });
});

describe('request logs', () => {
  it('writes one JSON line per request with its id, status and duration, and never a password, cookie or authorization', async () => {
    const carol = await registeredClient(proc.url, 'carol', PASSWORD);
    const visitor = new WebClient(proc.url);
    assert.equal((await visitor.post('/main/login', { nickname: 'carol', password: 'wrong-' + PASSWORD })).status, 401);
    const login = await visitor.post('/main/login', { nickname: 'carol', password: PASSWORD });
    assert.equal(login.status, 303);
    const requestId = login.headers.get('x-request-id');
    assert.ok(requestId);
    const token = 'Bearer s3cr3t-t0ken-value';
    await fetch(`${proc.url}/carol`, { headers: { authorization: token, cookie: `ostrakon.sid=${carol.sessionId}` } });

    const line = await proc.waitForLog((entry) => (entry.req as { id?: string } | undefined)?.id === requestId);
    assert.equal((line.req as { url: string }).url, '/main/login');
    assert.equal((line.res as { statusCode: number }).statusCode, 303);
    assert.equal(typeof line.responseTime, 'number');
    await proc.waitForLog((entry) => (entry.req as { url?: string } | undefined)?.url === '/carol');
    const output = proc.output();
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 's3cr3t-t0ken-value', carol.sessionId!, visitor.sessionId!]) {
      assert.ok(!output.includes(secret), `the log contains a secret: ${secret}`);
    }
  });
});

describe('ROLE', () => {
  it('a web process works no jobs; a worker process on the same database does', async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip('needs DATABASE_URL: two processes share one Postgres server');
      return;
    }
    const { proc: web, database: shared } = await startOnNewDatabase({ ROLE: 'web' });
    const alice = await registeredClient(web.url, 'alice');
    const bob = await registeredClient(web.url, 'bob');
    await bob.post('/main/subscribe', { subscribeto: 'alice' });
    assert.equal((await alice.post('/notice/new', { content: 'Waiting for a worker', returnto: '/' })).status, 303);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a worker would have fanned out by now
    assert.doesNotMatch(textOf((await bob.get('/bob/all')).text), /Waiting for a worker/, 'the web process ran the fan-out job');

    const worker = await startServerProcess({ DATABASE_URL: shared.url!, ROLE: 'worker' }, { port: 1 });
    cleanups.push(() => worker.stop(5_000));
    await waitFor('the worker to fan the notice out', async () => /Waiting for a worker/.test(textOf((await bob.get('/bob/all')).text)), 20_000);
    assert.equal(await fetch(`http://127.0.0.1:${worker.port}/healthz`).then(() => 'answered', () => 'refused'), 'refused', 'a worker serves no HTTP');
    assert.deepEqual(await worker.stop(), { code: 0, signal: null });
  });
});

// Registers through plain fetch so that every request can carry the proxy's headers.
async function registerBehindProxy(url: string, nickname: string, headers: Record<string, string>): Promise<Response> {
  const form = await fetch(`${url}/main/register`, { headers });
  const cookie = form.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]*)"/.exec(await form.text())?.[1] ?? '';
  return fetch(`${url}/main/register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, nickname, password: PASSWORD, email: '' }),
  });
}

describe('behind a TLS reverse proxy', () => {
  it('with TRUST_PROXY set, X-Forwarded-Proto https gets a Secure cookie and links use the https PUBLIC_URL', async () => {
    const { proc: site } = await startOnNewDatabase({ PUBLIC_URL: 'https://social.example', TRUST_PROXY: 'loopback' });
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };
    const form = await fetch(`${site.url}/main/register`, { headers: proxied });
    assert.match(form.headers.getSetCookie().join('\n'), /ostrakon\.sid=.*; Secure/);
    const plain = await fetch(`${site.url}/main/register`);
    assert.equal(plain.headers.getSetCookie().length, 0, 'no Secure cookie over plain http');
    assert.equal((await registerBehindProxy(site.url, 'dana', proxied)).status, 303);
    const profile = await fetch(`${site.url}/dana`, { headers: proxied });
    assert.match(profile.headers.get('x-xrds-location') ?? '', /^https:\/\/social\.example\/dana\/xrds$/);
    const user = await fetch(`${site.url}/user/1`, { headers: proxied, redirect: 'manual' });
    assert.equal(user.headers.get('location'), 'https://social.example/dana');
  });

  it('without TRUST_PROXY ignores X-Forwarded-Proto and warns at start; LOG_LEVEL=warn drops request lines', async () => {
    const { proc: site } = await startOnNewDatabase({ PUBLIC_URL: 'https://social.example', LOG_LEVEL: 'warn' });
    const form = await fetch(`${site.url}/main/register`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(form.status, 200);
    assert.equal(form.headers.getSetCookie().length, 0, 'a forwarded header from an untrusted peer changes nothing');
    await site.waitForLog((entry) => /TRUST_PROXY/.test(String(entry.msg)));
    assert.ok(!site.entries().some((entry) => entry.req !== undefined), 'no request lines at warn');
  });
});

describe('slow and oversized requests', () => {
  it('answers an oversized form with a 413 page', async () => {
    const visitor = new WebClient(proc.url);
    const page = await visitor.post('/main/login', { nickname: 'x', password: 'y'.repeat(100_000) });
    assert.equal(page.status, 413);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(textOf(page.text), /too large/);
  });

  it('closes a connection whose request head never ends (headers timeout)', async () => {
    await slowloris.closed;
    const held = Date.now() - slowlorisSince;
    assert.ok(held < 26_000, `the half-sent request held its socket for ${held} ms`);
    assert.equal(proc.running(), true);
  });
});

describe('start-up problems', () => {
  // The output of a server that must exit while starting. startServerProcess rejects with it, or
  // (when another server already answers on the port) returns, and the process then exits.
  async function startupFailure(env: Record<string, string>, port?: number): Promise<string> {
    let started;
    try {
      started = await startServerProcess(env, port === undefined ? {} : { port });
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    const exit = await Promise.race([started.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 30_000))]);
    if (exit === 'running') await started.stop(5_000);
    assert.deepEqual(exit, { code: 1, signal: null }, started.output());
    return started.output();
  }

  it('a port in use stops the start with one line saying so, no stack trace', async () => {
    const output = await startupFailure(database.url ? { DATABASE_URL: database.url } : {}, proc.port);
    assert.match(output, /Ostrakon failed to start: the port is already in use/);
    assert.doesNotMatch(output, /^\s+at /m);
  });

  it('a second server on the same embedded database folder refuses to start, with no stack trace', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-busy-'));
    const first = await startServerProcess({ DATA_DIR: dataDir });
    try {
      const output = await startupFailure({ DATA_DIR: dataDir });
      assert.match(output, /Ostrakon failed to start: .*embedded database/i);
      assert.doesNotMatch(output, /^\s+at /m);
      assert.equal((await fetch(`${first.url}/readyz`)).status, 200, 'the first server goes on');
    } finally {
      await first.stop(10_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
