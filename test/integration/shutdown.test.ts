// Stopping the real server process: SIGTERM/SIGINT let requests in flight finish and exit 0, within
// SHUTDOWN_TIMEOUT_SECONDS; a job cut off by SIGKILL is retried once a worker runs again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { startServerProcess } from '../helpers/process.ts';
import type { ServerProcess } from '../helpers/process.ts';
import { acceptsConnections, rawRequest } from '../helpers/raw-http.ts';
import { waitFor } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// A database and a data folder that outlive one process, so that a second one can start on them.
async function site(): Promise<{ env: Record<string, string>; database: TestDatabase }> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-shutdown-'));
  cleanups.push(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { database, env: { DATA_DIR: dataDir, ...(database.url ? { DATABASE_URL: database.url } : {}) } };
}

function track(proc: ServerProcess): ServerProcess {
  cleanups.push(() => proc.stop(5_000));
  return proc;
}

const shuttingDown = (entry: Record<string, unknown>) => entry.msg === 'shutting down';

type JobRow = { state: string; retry_count: number };

/**
 * A ROLE=web process where bob subscribes to alice and alice has just posted `content`, with the
 * fan-out's INSERT held by a lock on home_timeline_entries: the next worker claims the job and waits.
 */
async function fanOutHeldByLock(content: string, webEnv: Record<string, string> = {}) {
  const { env, database } = await site();
  const web = track(await startServerProcess({ ...env, ROLE: 'web', ...webEnv }));
  const alice = await registeredClient(web.url, 'alice');
  const bob = await registeredClient(web.url, 'bob');
  await bob.post('/main/subscribe', { subscribeto: 'alice' });
  assert.equal((await alice.post('/notice/new', { content, returnto: '/' })).status, 303);

  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  cleanups.push(() => admin.end());
  const fanoutJob = async () => (await admin.query<JobRow>("SELECT state, retry_count FROM pgboss.job WHERE name = 'notice.fanout'")).rows[0];
  await admin.query('BEGIN');
  await admin.query('LOCK TABLE home_timeline_entries IN SHARE ROW EXCLUSIVE MODE');
  return { env, bob, admin, fanoutJob };
}

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting connections, finishes the request in flight, and exits 0', async () => {
    const { env } = await site();
    const proc = track(await startServerProcess({ ...env, SHUTDOWN_TIMEOUT_SECONDS: '20' }));
    const alice = await registeredClient(proc.url, 'alice');
    const body = new URLSearchParams({ _csrf: alice.csrfToken!, content: 'Posted while the server was stopping', returnto: '/' }).toString();
    const half = Math.floor(body.length / 2);
    // The request's body arrives slowly: it is still in flight when the signal comes.
    const request = await rawRequest(
      proc.port,
      `POST /notice/new HTTP/1.1\r\nHost: 127.0.0.1:${proc.port}\r\nCookie: ostrakon.sid=${alice.sessionId}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    proc.child.kill('SIGTERM');
    await proc.waitForLog(shuttingDown);
    await waitFor('the listening socket to close', async () => !(await acceptsConnections(proc.port)), 5_000);
    assert.equal(proc.running(), true, 'the process waits for the request in flight');

    request.write(body.slice(half));
    const response = await request.response;
    assert.equal(response?.status, 303, `the request completed: ${response?.head}`);
    const exit = await proc.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, proc.output());
    assert.ok(proc.entries().some((entry) => entry.msg === 'stopped'));

    // The notice posted during shutdown was saved: a new process on the same data shows it.
    const again = track(await startServerProcess(env));
    const page = await new WebClient(again.url).get('/alice');
    assert.match(textOf(page.text), /Posted while the server was stopping/);
    assert.deepEqual(await again.stop(), { code: 0, signal: null });
  });

  it('on SIGINT exits 0 too, and cuts off a request that does not finish within SHUTDOWN_TIMEOUT_SECONDS', async () => {
    const { env } = await site();
    const proc = track(await startServerProcess({ ...env, SHUTDOWN_TIMEOUT_SECONDS: '2' }));
    // A body that never arrives in full.
    const stuck = await rawRequest(proc.port, `POST /main/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nnickname=a`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    proc.child.kill('SIGINT');
    const exit = await proc.exited;
    const elapsed = Date.now() - started;
    assert.deepEqual(exit, { code: 0, signal: null }, proc.output());
    assert.ok(elapsed >= 1_900, `it waited for the request (${elapsed} ms)`);
    assert.ok(elapsed < 10_000, `it did not wait past the bound (${elapsed} ms)`);
    await stuck.closed;
    assert.ok(proc.entries().some((entry) => entry.msg === 'shutting down' && entry.signal === 'SIGINT'));
  });
});

describe('jobs running at shutdown', () => {
  it('fails a job still running at the deadline, so that the next worker retries it without waiting for JOB_RECOVERY_SECONDS', async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip('needs DATABASE_URL: the test locks a table of a real Postgres to hold the job mid-way');
      return;
    }
    const { env, bob, admin, fanoutJob } = await fanOutHeldByLock('Fan me out after the restart');
    const worker = track(await startServerProcess({ ...env, ROLE: 'worker', SHUTDOWN_TIMEOUT_SECONDS: '2' }, { port: 1 }));
    await waitFor('the worker to claim the fan-out job', async () => (await fanoutJob())?.state === 'active', 20_000);
    const started = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    const elapsed = Date.now() - started;
    assert.deepEqual(exit, { code: 0, signal: null }, worker.output());
    assert.ok(elapsed < 10_000, `stopping took ${elapsed} ms`);
    assert.equal((await fanoutJob())?.state, 'retry', 'the job was handed back, not left claimed');
    // The abandoned statement would still run once the lock is gone (or hit statement_timeout): end it,
    // so that only a retry can fan the notice out.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock'");
    await admin.query('ROLLBACK');
    assert.doesNotMatch(textOf((await bob.get('/bob/all')).text), /Fan me out after the restart/);
    // A retry waits out its backoff first; a worker starting after that takes it in its first fetch.
    await waitFor('the retry to be due', async () => (await admin.query("SELECT 1 FROM pgboss.job WHERE name = 'notice.fanout' AND start_after <= now()")).rowCount === 1, 30_000);

    // JOB_RECOVERY_SECONDS is long here: only the handed-back job can explain a quick fan-out.
    const next = track(await startServerProcess({ ...env, ROLE: 'worker', JOB_RECOVERY_SECONDS: '600' }, { port: 1 }));
    await waitFor('the fan-out to reach bob', async () => /Fan me out after the restart/.test(textOf((await bob.get('/bob/all')).text)), 30_000);
    assert.deepEqual(await fanoutJob(), { state: 'completed', retry_count: 1 });
    assert.deepEqual(await next.stop(), { code: 0, signal: null });
  });
});

describe('jobs cut off by a crash', () => {
  it('retries a job whose worker was killed with SIGKILL once a worker runs again', { timeout: 180_000 }, async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip('needs DATABASE_URL: the test locks a table of a real Postgres to hold the job mid-way');
      return;
    }
    // Hold the fan-out's INSERT: the worker claims the job and then waits on this lock.
    const { env, bob, admin, fanoutJob } = await fanOutHeldByLock('Fan me out despite the crash', { JOB_RECOVERY_SECONDS: '10' });
    const worker = track(await startServerProcess({ ...env, ROLE: 'worker', JOB_RECOVERY_SECONDS: '10' }, { port: 1 }));
    await waitFor('the worker to claim the fan-out job', async () => (await fanoutJob())?.state === 'active', 20_000);
    worker.child.kill('SIGKILL');
    assert.equal((await worker.exited).signal, 'SIGKILL');
    // The machine went down: its connections, the one waiting on the lock included, are gone.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock'");
    await admin.query('ROLLBACK');
    assert.equal((await fanoutJob())?.state, 'active', 'the dead worker left its job claimed');
    assert.doesNotMatch(textOf((await bob.get('/bob/all')).text), /Fan me out/);

    const restarted = track(await startServerProcess({ ...env, ROLE: 'worker', JOB_RECOVERY_SECONDS: '10' }, { port: 1 }));
    // Its supervisor finds the heartbeat lapsed (within about twice JOB_RECOVERY_SECONDS) and fails
    // the job; the retry then runs after its backoff, at the worker's next fetch.
    await waitFor('the supervisor to hand the job back', async () => (await fanoutJob())?.state !== 'active', 40_000);
    await waitFor('the fan-out to reach bob', async () => /Fan me out despite the crash/.test(textOf((await bob.get('/bob/all')).text)), 60_000).catch(async (error: Error) => {
      const rows = (await admin.query("SELECT * FROM pgboss.job WHERE name = 'notice.fanout'")).rows;
      throw new Error(`${error.message}\njob: ${JSON.stringify(rows)}\nworker output:\n${restarted.output()}`);
    });
    const job = await fanoutJob();
    assert.equal(job?.state, 'completed');
    assert.equal(job?.retry_count, 1, 'it ran again as a retry');
    assert.deepEqual(await restarted.stop(), { code: 0, signal: null });
  });
});
