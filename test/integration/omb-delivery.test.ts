// Delivery that loses nothing: a peer outage, a killed worker, a dead host among healthy ones,
// permanent refusals kept as dead letters and sent again on request.
import { pino } from 'pino';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requeueDeadDeliveries } from '../../src/federation/dead-letters.ts';
import { deliver } from '../../src/federation/omb/deliver.ts';
import { signatureMatches } from '../../src/federation/omb/oauth.ts';
import { ombJobDefinitions } from '../../src/federation/omb/jobs.ts';
import { DELIVERY_MAX_DELAY_SECONDS, DELIVERY_RETRY_WINDOW_SECONDS, retriesCovering } from '../../src/federation/delivery-retries.ts';
import { FEDERATION_ENV, remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SUCCESS = 'omb_version=http://openmicroblogging.org/protocol/0.1';

async function post(client: WebClient, content: string): Promise<void> {
  const page = await client.post('/notice/new', { content, returnto: '/' });
  assert.equal(page.status, 303, textOf(page.text));
}

const onHome = (client: WebClient, nickname: string, text: string) => async () => (await client.get(`/${nickname}/all`)).text.includes(text);

// A stand-in for another server's postNotice endpoint, answering as told and recording what it got.
type FakeEndpoint = { url: string; received: URLSearchParams[]; paths: string[]; answer: { status: number; body: string }; close(): void };
async function fakeEndpoint(): Promise<FakeEndpoint> {
  const endpoint = { received: [] as URLSearchParams[], paths: [] as string[], answer: { status: 200, body: SUCCESS } } as FakeEndpoint;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      endpoint.received.push(new URLSearchParams(body));
      endpoint.paths.push(req.url!);
      res.writeHead(endpoint.answer.status, { 'content-type': 'text/plain' }).end(endpoint.answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/omb/postnotice`;
  endpoint.close = () => {
    server.closeAllConnections();
    server.close();
  };
  return endpoint;
}

// A remote listener of a local user whose server is at `postUrl` (rows as a finished subscription leaves them).
async function addRemoteListener(server: TestServer, listenee: string, name: string, postUrl: string): Promise<number> {
  const db = server.runtime.ctx.db;
  const { id: listeneeId } = await db('profiles').where({ nickname: listenee, is_local: true }).first();
  const [{ id }] = await db('profiles').insert({ nickname: name, is_local: false, uri: `${postUrl}/user/${name}`, profile_url: `${postUrl}/${name}` }).returning('id');
  await db('subscriptions').insert({ subscriber_id: id, subscribed_id: listeneeId });
  await db('omb_remote_listeners').insert({ subscriber_id: id, subscribed_id: listeneeId, token: `t${name}`, secret: `s${name}`, postnotice_url: postUrl, updateprofile_url: postUrl });
  return id;
}

describe('delivery with a peer down, and dead letters', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: WebClient;
  let bob: WebClient;

  before(async () => {
    ({ a, b, alice, bob } = await startTwoSites());
    const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
    assert.equal(finish.status, 303, textOf(finish.text));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('delivers a notice posted while A is down once A is back', async () => {
    await a.halt();
    await post(bob, 'Posted while A was down');
    const jobs = () => b.runtime.ctx.db('pgboss.job').where({ name: 'omb.push' });
    await waitFor('a failed attempt', async () => (await jobs()).some((job) => job.state === 'retry'));
    const [failed] = await jobs();
    assert.match(JSON.stringify(failed.output), /ECONNREFUSED/, 'the attempt while A was down failed');
    await a.restart();
    await waitFor('the notice on A after its return', onHome(alice, 'alice', 'Posted while A was down'), 20_000);
    assert.equal((await a.runtime.ctx.db('notices').where({ content: 'Posted while A was down' })).length, 1);
    assert.equal((await b.runtime.ctx.db('dead_deliveries')).length, 0);
  });

  it('keeps a permanently refused delivery with its error, and re-queues it on request', async () => {
    const endpoint = await fakeEndpoint();
    try {
      endpoint.answer = { status: 400, body: 'Invalid notice content' };
      await addRemoteListener(b, 'bob', 'refuser', endpoint.url);
      await post(bob, 'Refused at first');
      await waitFor('a dead letter', async () => (await b.runtime.ctx.db('dead_deliveries')).length === 1);
      const [dead] = await b.runtime.ctx.db('dead_deliveries');
      assert.equal(dead.target, endpoint.url);
      assert.match(dead.last_error, /400: Invalid notice content/);
      assert.equal(endpoint.received.length, 1, 'a permanent refusal is not retried');
      endpoint.answer = { status: 200, body: SUCCESS };
      assert.equal(await requeueDeadDeliveries(b.runtime.ctx), 1);
      await waitFor('the second delivery', async () => endpoint.received.length === 2);
      assert.equal(endpoint.received[1]!.get('omb_notice_content'), 'Refused at first');
      assert.equal(endpoint.received[1]!.get('oauth_token'), 'trefuser');
      assert.equal((await b.runtime.ctx.db('dead_deliveries')).length, 0);
    } finally {
      endpoint.close();
    }
  });

  it('posts to a StatusNet-style endpoint like StatusNet: query pairs in the signed body, exact URL kept', async () => {
    const endpoint = await fakeEndpoint();
    try {
      endpoint.answer = { status: 200, body: `${SUCCESS}\n` }; // SN 0.7 is not careful about newlines either
      const snUrl = endpoint.url.replace('/omb/postnotice', '/index.php?action=postnotice');
      await addRemoteListener(b, 'bob', 'laconica', snUrl);
      await post(bob, 'Hello & welcome ~ café 100% "quoted" +plus');
      await waitFor('the delivery', async () => endpoint.paths.includes('/index.php'));
      const index = endpoint.paths.indexOf('/index.php');
      const params = Object.fromEntries(endpoint.received[index]!);
      assert.equal(params.action, 'postnotice');
      assert.equal(params.omb_notice_content, 'Hello & welcome ~ café 100% "quoted" +plus');
      assert.equal(params.omb_version, 'http://openmicroblogging.org/protocol/0.1');
      assert.equal(params.omb_notice_license, 'http://creativecommons.org/licenses/by/3.0/');
      assert.equal(params.oauth_consumer_key, `${b.url}/`);
      assert.equal(params.oauth_token, 'tlaconica');
      assert.equal(params.oauth_signature_method, 'HMAC-SHA1');
      assert.ok(signatureMatches('POST', endpoint.url.replace('/omb/postnotice', '/index.php'), params, 'slaconica'), 'StatusNet can verify the signature');
      assert.match(params.omb_notice!, new RegExp(`^${b.url}/notice/\\d+$`));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(endpoint.paths.filter((p) => p === '/index.php').length, 1, 'accepted once, not retried');
    } finally {
      endpoint.close();
    }
  });

  it('treats StatusNet’s "Duplicate notice" answer as delivered', async () => {
    const endpoint = await fakeEndpoint();
    try {
      endpoint.answer = { status: 500, body: '<div class="error">Duplicate notice.</div>' };
      await addRemoteListener(b, 'bob', 'duplicate', endpoint.url);
      await post(bob, 'Seen before');
      await waitFor('the delivery', async () => endpoint.received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 2500)); // a retry would come within 2 s
      assert.equal(endpoint.received.length, 1);
      assert.equal((await b.runtime.ctx.db('dead_deliveries')).length, 0);
    } finally {
      endpoint.close();
    }
  });

  it('retries 5xx answers, and keeps the delivery as a dead letter after the last retry', async () => {
    const endpoint = await fakeEndpoint();
    try {
      endpoint.answer = { status: 503, body: 'Down for maintenance' };
      const listenerId = await addRemoteListener(b, 'bob', 'flaky', endpoint.url);
      const { id: bobId } = await b.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: true }).first();
      const data = { kind: 'notice', url: endpoint.url, subscribedId: bobId, subscriberIds: [listenerId], params: { omb_version: 'http://openmicroblogging.org/protocol/0.1', omb_notice_content: 'x' } };
      await assert.rejects(deliver(b.runtime.ctx, data, { retryCount: 3, retryLimit: 60, logger: pino({ level: 'silent' }) }), /503/);
      assert.equal((await b.runtime.ctx.db('dead_deliveries')).length, 0);
      await deliver(b.runtime.ctx, data, { retryCount: 60, retryLimit: 60, logger: pino({ level: 'silent' }) });
      const dead = await b.runtime.ctx.db('dead_deliveries');
      assert.equal(dead.length, 1);
      assert.equal(dead[0].attempts, 61);
      assert.match(dead[0].last_error, /503: Down for maintenance/);
      await b.runtime.ctx.db('dead_deliveries').delete();
    } finally {
      endpoint.close();
    }
  });

  it('retries each delivery for at least 48 hours, with the queue’s own backoff', async () => {
    const queue = await b.runtime.ctx.db('pgboss.queue').where({ name: 'omb.push' }).first();
    assert.equal(queue.retry_backoff, true);
    assert.equal(queue.policy, 'key_strict_fifo', 'one endpoint at a time, in order');
    const handlerLimit = ombJobDefinitions(b.config)['omb.push']!.retryLimit;
    assert.equal(queue.retry_limit, handlerLimit + 1, 'a spare attempt, so that a worker killed on the last one leaves no failed job blocking its endpoint');
    assert.equal(queue.retry_delay_max, DELIVERY_MAX_DELAY_SECONDS);
    // pg-boss waits at least retry_delay·2^n (capped) before retry n+1, plus jitter up to as much again.
    const shortestTotal = (base: number, limit: number) => {
      let total = 0;
      for (let n = 0; n < limit; n++) total += Math.min(DELIVERY_MAX_DELAY_SECONDS, base * 2 ** n);
      return total;
    };
    assert.ok(shortestTotal(queue.retry_delay, queue.retry_limit) >= 48 * 3600, `retry_limit ${queue.retry_limit} covers 48 hours`);
    const productionLimit = retriesCovering(30, DELIVERY_MAX_DELAY_SECONDS, DELIVERY_RETRY_WINDOW_SECONDS);
    assert.ok(shortestTotal(30, productionLimit) >= 48 * 3600);
    assert.ok(shortestTotal(30, productionLimit - 1) < 48 * 3600, 'and not needlessly more');
  });
});

describe('a dead host among healthy ones', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let blackhole: http.Server;

  before(async () => {
    ({ a, b, alice, bob } = await startTwoSites());
    await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
    blackhole = http.createServer(() => {}); // accepts, reads, never answers
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    blackhole?.closeAllConnections();
    blackhole?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('delivers to the healthy server while ten endpoints on a dead host hang', async () => {
    const port = (blackhole.address() as AddressInfo).port;
    for (let i = 0; i < 10; i++) await addRemoteListener(b, 'bob', `hung${i}`, `http://127.0.0.1:${port}/omb/postnotice/${i}`);
    // The first notice's ten deliveries to the dead host now hang for their whole timeout...
    await post(bob, 'First, to fill the queue');
    await waitFor('the first notice on A', onHome(alice, 'alice', 'First, to fill the queue'), 12_000);
    await waitFor('connections to the dead host', async () => (await new Promise<number>((resolve) => blackhole.getConnections((_e, n) => resolve(n)))) >= 1);
    // ...and the second notice's delivery to A must not wait behind them.
    const started = Date.now();
    await post(bob, 'Healthy servers do not wait');
    await waitFor('the notice on A', onHome(alice, 'alice', 'Healthy servers do not wait'), 12_000);
    assert.ok(Date.now() - started < 12_000, 'well before the dead host’s 15-second timeouts free the workers');
    const hanging = await new Promise<number>((resolve) => blackhole.getConnections((_e, n) => resolve(n)));
    assert.ok(hanging <= 2, `at most two deliveries at once to one host (saw ${hanging})`);
  });
});

describe('a worker killed and restarted', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: WebClient;
  let erin: WebClient;
  let worker: ChildProcess | undefined;
  const workerDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-worker-'));

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [path.join(ROOT, 'src/server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...FEDERATION_ENV,
        ROLE: 'worker',
        DATABASE_URL: b.runtime.database.url,
        PUBLIC_URL: b.url,
        DATA_DIR: workerDir,
        JOB_POLL_SECONDS: '1',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    return child;
  }

  before(async () => {
    a = await startTestServer({ env: FEDERATION_ENV });
    b = await startTestServer({ env: { ...FEDERATION_ENV, ROLE: 'web' } }); // its jobs run in the worker process below
    alice = await registeredClient(a.url, 'alice');
    erin = await registeredClient(b.url, 'erin');
    const { finish } = await remoteSubscribe(b, 'erin', alice, `${a.url}/alice`);
    assert.equal(finish.status, 303, textOf(finish.text));
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(workerDir, { recursive: true, force: true });
  });

  it('delivers a notice posted while the worker was dead once it restarts', async () => {
    worker = startWorker();
    await post(erin, 'Worker alive');
    await waitFor('the first notice on A', onHome(alice, 'alice', 'Worker alive'), 30_000);
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;
    await post(erin, 'Posted while the worker was dead');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await onHome(alice, 'alice', 'Posted while the worker was dead')(), false, 'nothing delivers it without a worker');
    worker = startWorker();
    await waitFor('the notice on A after the restart', onHome(alice, 'alice', 'Posted while the worker was dead'), 30_000);
  });
});
