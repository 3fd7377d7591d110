// When Postgres goes away, pages answer 503 within seconds (no hang, no crash), and the server
// recovers by itself once the database is back. Needs a real Postgres server (DATABASE_URL).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { startServerProcess } from '../helpers/process.ts';
import type { ServerProcess } from '../helpers/process.ts';
import { waitFor } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const base = process.env.DATABASE_URL;
const skip = base ? false : 'needs DATABASE_URL: the test stops and restarts connections to a real Postgres server';

let database: TestDatabase;
let proc: ServerProcess;
let admin: pg.Client;
let name: string;

// Every connection the server holds to its database, cut as a Postgres restart would.
const terminateConnections = () => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);

// Answers within `limitMs`, or fails the test: an outage must never hang a request.
async function timed(client: WebClient, path: string, limitMs = 8_000) {
  const started = Date.now();
  const page = await Promise.race([
    client.get(path),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${path} did not answer within ${limitMs} ms`)), limitMs)),
  ]);
  return { ...page, ms: Date.now() - started };
}

describe('database outage', { skip }, () => {
  before(async () => {
    database = await createTestDatabase();
    name = new URL(database.url!).pathname.slice(1);
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    proc = await startServerProcess({ DATABASE_URL: database.url!, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_SECONDS: '3' });
  });
  after(async () => {
    if (admin) {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.end();
    }
    await proc?.stop(5_000);
    await database?.drop();
  });

  it('shrugs off connections cut under it (a Postgres restart)', async () => {
    const alice = await registeredClient(proc.url, 'alice');
    assert.equal((await alice.get('/')).status, 200);
    await terminateConnections();
    for (let i = 0; i < 5; i++) {
      const page = await timed(alice, '/alice');
      assert.ok(page.status === 200 || page.status === 503, `answered ${page.status}`);
    }
    await waitFor('pages to be served again', async () => (await alice.get('/alice/all')).status === 200, 10_000);
    assert.equal(proc.running(), true);
  });

  it('answers 503 pages within seconds while the database refuses connections, and recovers when it is back', async () => {
    const alice = await registeredClient(proc.url, 'alice2');
    const bob = await registeredClient(proc.url, 'bob');
    await bob.post('/main/subscribe', { subscribeto: 'alice2' });

    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await terminateConnections();
    const visitor = new WebClient(proc.url);
    for (const [client, path] of [[visitor, '/'], [visitor, '/alice2'], [alice, '/alice2/all'], [bob, '/']] as const) {
      const page = await timed(client, path);
      assert.equal(page.status, 503, `${path} answered ${page.status}`);
      assert.match(textOf(page.text), /briefly unavailable/);
      assert.ok(page.ms < 6_000, `${path} took ${page.ms} ms`);
      assert.equal(page.headers.get('retry-after'), '5');
    }
    const login = await visitor.post('/main/login', { nickname: 'alice2', password: 'correct horse battery' });
    assert.equal(login.status, 503);
    assert.equal((await timed(visitor, '/readyz')).status, 503);
    assert.equal((await timed(visitor, '/healthz')).status, 200, 'the process itself is up');
    // Long enough for the job workers, the session pruner and the pools to hit the outage too.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal(proc.running(), true, `the process survived the outage:\n${proc.output()}`);

    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await waitFor('the site to serve pages again', async () => (await visitor.get('/')).status === 200, 15_000);
    assert.equal((await visitor.get('/readyz')).status, 200);
    const home = await alice.get('/alice2/all');
    assert.equal(home.status, 200);
    assert.match(textOf(home.text), /alice2/, 'still signed in: sessions live in Postgres');
    assert.equal((await alice.post('/notice/new', { content: 'Back after the outage', returnto: '/' })).status, 303);
    // The job workers recovered too: the fan-out reaches bob's home timeline.
    await waitFor('the fan-out to reach bob', async () => /Back after the outage/.test(textOf((await bob.get('/bob/all')).text)), 20_000);
    assert.equal(proc.running(), true);
  });

  it('still stops cleanly on SIGTERM while the database is down', async () => {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await terminateConnections();
    assert.equal((await timed(new WebClient(proc.url), '/')).status, 503);
    const started = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, proc.output());
    assert.ok(Date.now() - started < 10_000, `stopping took ${Date.now() - started} ms`);
  });
});
