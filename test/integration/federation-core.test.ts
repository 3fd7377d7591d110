// The federation seam: a second protocol plugs in beside OMB, the core hands it notice.distribute
// and profile.distribute, it queues its own delivery jobs, and a failing protocol leaves nothing
// half-queued behind (the retry queues each delivery exactly once).
import assert from 'node:assert/strict';
import express, { Router } from 'express';
import { HttpError } from '../../src/errors.ts';
import { receiveRemoteNotice, saveRemoteProfile } from '../../src/domain/remote-profiles.ts';
import { after, before, describe, it } from 'node:test';
import { NOTICE_DISTRIBUTE_JOB, PROFILE_DISTRIBUTE_JOB } from '../../src/domain/jobs.ts';
import type { FederationProtocol } from '../../src/federation/core.ts';
import { ombProtocol } from '../../src/federation/omb/protocol.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const DELIVER_JOB = 'recorder.deliver';
const queued: string[] = []; // what the recorder's distribute parts saw
const delivered: string[] = []; // what its delivery jobs ran for
let flakyCalls = 0;

// Server-to-server routes of the recorder: JSON bodies of its own, no session or CSRF token.
function recorderRoutes(): Router {
  const router = Router();
  router.post('/recorder/inbox', express.json({ limit: '1kb', type: 'application/json' }), (req, res) => {
    const body = req.body as { text?: unknown };
    if (typeof body?.text !== 'string') throw new HttpError(400, 'text is missing.');
    res.status(202).type('text/plain').send(`got ${body.text}`);
  });
  router.get('/recorder/fault', () => {
    throw new Error('a bug in the protocol');
  });
  return router;
}

// A protocol that records what it is handed and queues one delivery per event.
const recorder: FederationProtocol = {
  name: 'recorder',
  serverRoutes: recorderRoutes,
  distribute: {
    [NOTICE_DISTRIBUTE_JOB]: async (ctx, data) => {
      queued.push(`notice ${data.noticeId}`);
      await ctx.jobs.send(ctx.db, DELIVER_JOB, { what: `notice ${data.noticeId}` });
    },
    [PROFILE_DISTRIBUTE_JOB]: async (ctx, data) => {
      queued.push(`profile ${data.profileId}`);
      await ctx.jobs.send(ctx.db, DELIVER_JOB, { what: `profile ${data.profileId}` });
    },
  },
  jobs: () => ({ [DELIVER_JOB]: { handler: async (_ctx, data) => void delivered.push(String(data.what)), retryLimit: 0, retryDelaySeconds: 1 } }),
};

// A protocol whose profile part fails the first time, after the recorder queued its delivery.
const flaky: FederationProtocol = {
  name: 'flaky',
  distribute: {
    [PROFILE_DISTRIBUTE_JOB]: async () => {
      flakyCalls++;
      if (flakyCalls === 1) throw new Error('the flaky protocol fails once');
    },
  },
};

let server: TestServer;
let alice: WebClient;
let aliceId: number;

before(async () => {
  server = await startTestServer({ protocols: [ombProtocol, recorder, flaky] });
  alice = await registeredClient(server.url, 'alice');
  aliceId = (await server.runtime.ctx.db('profiles').where({ nickname: 'alice', is_local: true }).first()).id;
});
after(() => server?.stop());

describe('federation core', () => {
  it('hands a new notice to every protocol, which queues its own delivery', async () => {
    const page = await alice.post('/notice/new', { content: 'hello, every protocol', returnto: '/' });
    assert.equal(page.status, 303, textOf(page.text));
    const notice = await server.runtime.ctx.db('notices').where({ content: 'hello, every protocol' }).first();
    await waitFor('the recorder’s delivery', async () => delivered.includes(`notice ${notice.id}`));
    assert.deepEqual(queued, [`notice ${notice.id}`]);
  });

  it('queues every protocol’s deliveries once, even when one protocol fails and the job is retried', async () => {
    await alice.get('/settings/profile');
    const page = await alice.post('/settings/profile', { fullname: 'Alice', bio: '', location: '', homepage: '' });
    assert.equal(page.status, 303, textOf(page.text));
    await waitFor('the retried profile distribution', async () => flakyCalls >= 2, 60_000);
    await waitFor('the recorder’s delivery', async () => delivered.includes(`profile ${aliceId}`));
    assert.deepEqual(queued.filter((q) => q.startsWith('profile')), [`profile ${aliceId}`, `profile ${aliceId}`], 'the recorder ran on both attempts');
    const deliveries = await server.runtime.ctx.db.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ? AND data->>'what' = ?`, [DELIVER_JOB, `profile ${aliceId}`]);
    assert.equal(deliveries.rows[0].n, 1, 'the first attempt’s delivery was rolled back with the failure');
    assert.deepEqual(delivered.filter((d) => d.startsWith('profile')), [`profile ${aliceId}`]);
  });

  it('mounts a protocol’s server routes before the browser stack: its own body parsing, no CSRF token, plain-text errors', async () => {
    const post = (body: string) => fetch(`${server.url}/recorder/inbox`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const ok = await post('{"text":"hi"}');
    assert.equal(ok.status, 202, 'no CSRF token and no session, yet accepted');
    assert.equal(await ok.text(), 'got hi');
    assert.equal(ok.headers.get('set-cookie'), null);
    for (const [body, status] of [['{"nothing":1}', 400], ['{not json', 400], [JSON.stringify({ text: 'x'.repeat(2000) }), 413]] as const) {
      const refused = await post(body);
      assert.equal(refused.status, status, body.slice(0, 20));
      assert.match(refused.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok((await refused.text()).length < 200, 'a short reason, not a page');
    }
    const fault = await fetch(`${server.url}/recorder/fault`);
    assert.equal(fault.status, 500);
    assert.match(fault.headers.get('content-type') ?? '', /^text\/plain/);
    assert.doesNotMatch(await fault.text(), /a bug in the protocol/, 'no internals leak');
    const elsewhere = await fetch(`${server.url}/recorder/other`);
    assert.equal(elsewhere.status, 404);
    assert.match(elsewhere.headers.get('content-type') ?? '', /^text\/html/, 'paths it does not answer go on to the pages');
  });

  it('keeps the browser stack for browser forms: a form without its CSRF token is refused', async () => {
    const forged = await alice.post('/notice/new', { content: 'forged', returnto: '/', _csrf: 'wrong' });
    assert.equal(forged.status, 403);
  });

  it('checks what any protocol hands to receiveRemoteNotice, and stores nothing it refuses', async () => {
    const { ctx } = server.runtime;
    const fields = { nickname: 'far', fullname: null, bio: null, location: null, homepage: null, avatarUrl: null };
    const authorId = await ctx.db.transaction((trx) => saveRemoteProfile(ctx, trx, 'http://far.example/user/1', 'http://far.example/far', fields));
    const base = { authorId, uri: 'http://far.example/notice/1', url: null, content: 'hi', source: 'test' };
    const tooLong = `http://far.example/${'x'.repeat(250)}`;
    for (const bad of [{ content: 'a\u0007b' }, { content: 'x'.repeat(141) }, { uri: tooLong }, { url: 'http://far.example/a b' }, { uri: 'javascript:alert(1)' }]) {
      await assert.rejects(
        ctx.db.transaction((trx) => receiveRemoteNotice(ctx, trx, { ...base, ...bad })),
        (error) => error instanceof HttpError && error.status === 400,
        JSON.stringify(bad).slice(0, 40),
      );
    }
    assert.equal((await ctx.db('notices').where({ profile_id: authorId }).count({ n: '*' }))[0]!.n, 0);
    const stored = await ctx.db.transaction((trx) => receiveRemoteNotice(ctx, trx, { ...base, content: 'line\r\nbreak' }));
    assert.equal((await ctx.db('notices').where({ id: stored.noticeId }).first()).content, 'line\nbreak');
  });
});
