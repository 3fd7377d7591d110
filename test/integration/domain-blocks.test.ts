// Cutting off servers, with two Ostrakons (OMB) and the independent ActivityPub peer: the admin
// page and the command line; silencing keeps a server's notices off tag pages and is lifted again;
// suspending removes its people's notices and subscriptions, answers its pushes and activities 403
// storing nothing, drops deliveries already queued for it and refuses new contact either way.
// Everything is in the audit log; only admins may do it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AP_DELIVER_JOB } from '../../src/federation/activitypub/outbox-queue.ts';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { profileId, staffClient } from '../helpers/moderation.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf, WebClient } from '../helpers/web-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const AS = 'https://www.w3.org/ns/activitystreams';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A
let bob: WebClient; // on B
let admin: WebClient; // on A
let peer: ApPeer;
let aliceId: number;
let peerId: number;
let bobOnA: number;

const db = () => a.runtime.ctx.db;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const subscribed = async (subscriber: number, subscribed: number) => (await db()('subscriptions').where({ subscriber_id: subscriber, subscribed_id: subscribed })).length === 1;
const noticesOf = async (id: number) => (await db()('notices').where({ profile_id: id })).length;
const lastLog = async () => db()('moderation_log').orderBy('id', 'desc').first();

// The admin command line as a real process on A's database.
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: a.dataDir, LOG_LEVEL: 'silent', DATABASE_URL: a.config.databaseUrl };
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function note(id: string, content: string): Record<string, unknown> {
  const object = { id, type: 'Note', attributedTo: peer.actorUri('peer'), content, to: [`${AS}#Public`], published: '2026-12-07T06:00:00Z' };
  return { '@context': AS, id: `${id}/activity`, type: 'Create', actor: peer.actorUri('peer'), to: [`${AS}#Public`], object };
}

const send = async (activity: Record<string, unknown>) => (await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(activity))).status;

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  peer = await startApPeer();
  aliceId = await profileId(a, 'alice');
  admin = await staffClient(a, 'ada', 'admin');
  // OMB both ways between alice on A and bob on B.
  assert.equal((await remoteSubscribe(a, 'alice', bob, `${b.url}/bob`)).finish.status, 303);
  assert.equal((await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`)).finish.status, 303);
  bobOnA = Number((await db()('profiles').where({ uri: `${b.url}/user/${await profileId(b, 'bob')}` }).first('id')).id);
  await bob.post('/notice/new', { content: 'bob before the block', returnto: '/' });
  await waitFor('bob’s notice on A', async () => (await noticesOf(bobOnA)) === 1);
  // ActivityPub both ways between alice and peer, and a tagged note of peer's.
  peer.answers.set('peer', 'accept');
  await peer.follow('peer', await peer.resolve(`@alice@${new URL(a.url).host}`));
  await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
  peerId = Number((await db()('profiles').where({ uri: peer.actorUri('peer') }).first('id')).id);
  await waitFor('alice and peer follow each other', async () => (await subscribed(aliceId, peerId)) && (await subscribed(peerId, aliceId)));
  assert.ok((await send(note(`${peer.actorUri('peer')}/notes/1`, '<p>peer says #fromthepeer</p>'))) < 300);
  assert.equal(await noticesOf(peerId), 1);
});
after(async () => {
  await peer?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('who may block servers', () => {
  it('answers 403 to moderators and ordinary people, page and action alike', async () => {
    const moderator = await staffClient(a, 'mod', 'moderator');
    for (const client of [moderator, alice]) {
      assert.equal((await client.get('/admin/domains')).status, 403);
      assert.equal((await client.post('/admin/domains', { host: 'spam.example', severity: 'suspend', note: '' })).status, 403);
      assert.equal((await client.post('/admin/domains/spam.example/unblock', {})).status, 403);
    }
    assert.equal((await db()('domain_blocks')).length, 0);
  });

  it('refuses what is not a host, and this site itself, keeping what was typed', async () => {
    await admin.get('/admin/domains');
    for (const host of ['not a host', 'http://x.example/path', '', 'a@b.example', new URL(a.url).host]) {
      const page = await admin.post('/admin/domains', { host, severity: 'suspend', note: 'typed note' });
      assert.equal(page.status, 400, host);
      assert.match(page.text, /value="typed note"/);
      assert.match(page.text, /role="alert"/);
    }
    assert.equal((await admin.post('/admin/domains', { host: 'spam.example', severity: 'obliterate', note: '' })).status, 400);
    assert.equal((await db()('domain_blocks')).length, 0);
  });
});

describe('silencing a server', () => {
  it('keeps its notices off tag pages while subscriptions stay, until lifted', async () => {
    assert.match(textOf((await new WebClient(a.url).get('/tag/fromthepeer')).text), /peer says/);
    const page = await admin.post('/admin/domains', { host: peer.host, severity: 'silence', note: 'loud' });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    assert.match(textOf((await admin.get('/admin/domains')).text), new RegExp(`${peer.host.replace(/\./g, '\\.')} Silenced loud`));
    assert.equal((await new WebClient(a.url).get('/tag/fromthepeer')).status, 404, 'no notice of it left on the tag page');
    assert.match(textOf((await alice.get('/alice/all')).text), /peer says/, 'subscribers still see it');
    assert.ok(await subscribed(aliceId, peerId));
    assert.equal((await lastLog()).action, 'block-domain:silence');
    assert.equal((await lastLog()).actor_name, 'ada');

    assert.equal((await admin.post(`/admin/domains/${encodeURIComponent(peer.host)}/unblock`, {})).status, 303);
    assert.match(textOf((await new WebClient(a.url).get('/tag/fromthepeer')).text), /peer says/);
    assert.equal((await db()('profiles').where({ id: peerId }).first()).silenced_at, null);
  });
});

describe('suspending an ActivityPub server from the command line', () => {
  it('removes its notices and subscriptions, and logs the operator', async () => {
    const result = await cli(['block-domain', peer.host, '--note', 'from the shell']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Suspended ${peer.host.replace(/\./g, '\\.')}: \\d+ known profile\\(s\\); 1 notice\\(s\\) and 2 subscription\\(s\\) removed\\.`));
    assert.equal(await noticesOf(peerId), 0);
    assert.equal(await subscribed(aliceId, peerId), false);
    assert.equal(await subscribed(peerId, aliceId), false);
    assert.notEqual((await db()('profiles').where({ id: peerId }).first()).suspended_at, null);
    const log = await lastLog();
    assert.deepEqual([log.action, log.actor_name, log.target_name, log.note], ['block-domain:suspend', 'operator (command line)', peer.host, 'from the shell']);
    assert.match((await cli(['list-domain-blocks'])).stdout, new RegExp(`${peer.host.replace(/\./g, '\\.')} +suspend`));
  });

  it('answers its activities 403 and stores nothing', async () => {
    assert.equal(await send(note(`${peer.actorUri('peer')}/notes/2`, '<p>after the block</p>')), 403);
    const follow = { '@context': AS, id: `${peer.actorUri('mallory')}#follows/9`, type: 'Follow', actor: peer.actorUri('mallory'), object: `${a.url}/users/alice` };
    const response = await peer.signedPost('mallory', `${a.url}/users/alice/inbox`, JSON.stringify(follow));
    assert.equal(response.status, 403);
    assert.match(await response.text(), /blocked by this server/);
    assert.equal((await db()('notices').where({ is_local: false }).whereLike('content', '%after the block%')).length, 0);
    assert.equal((await db()('profiles').where({ uri: peer.actorUri('mallory') })).length, 0, 'no profile is made for mallory');
  });

  it('drops a delivery queued for it before the block, and refuses following anyone there', async () => {
    const before = peer.requests.filter((r) => r.method === 'POST').length;
    await a.runtime.ctx.jobs.send(db(), AP_DELIVER_JOB, { sender: 'alice', url: `${peer.url}/inbox`, activity: { '@context': AS, type: 'Create', id: `${a.url}/notice/999#create`, actor: `${a.url}/users/alice` } });
    await pause(3000);
    assert.equal(peer.requests.filter((r) => r.method === 'POST').length, before, 'nothing was posted to the peer');
    assert.equal((await db()('dead_deliveries')).length, 0, 'dropped, not kept as failed');
    await alice.get('/main/follow');
    const asked = peer.requests.length;
    const page = await alice.post('/main/follow', { handle: `@ghost@${peer.host}` });
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /does not federate with/);
    assert.equal(peer.requests.length, asked, 'the blocked server is not even asked who that is');
  });

  it('lifts the suspension of its people with unblock-domain (what was removed stays removed)', async () => {
    const result = await cli(['unblock-domain', peer.host]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Lifted the block of .*1 profile\(s\) no longer suspended/);
    assert.equal((await db()('profiles').where({ id: peerId }).first()).suspended_at, null);
    assert.equal(await noticesOf(peerId), 0);
    assert.equal((await cli(['unblock-domain', peer.host])).code, 1, 'not blocked any more');
  });
});

describe('suspending an OMB server from the admin page', () => {
  it('removes its people’s notices and subscriptions both ways', async () => {
    const page = await admin.post('/admin/domains', { host: new URL(b.url).host, severity: 'suspend', note: '' });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    assert.equal(await noticesOf(bobOnA), 0);
    assert.equal(await subscribed(bobOnA, aliceId), false);
    assert.equal(await subscribed(aliceId, bobOnA), false);
    const again = await admin.post('/admin/domains', { host: new URL(b.url).host, severity: 'silence', note: '' });
    assert.equal(again.status, 409);
    assert.match(textOf(again.text), /already blocked/);
  });

  it('answers its pushes 403, so that its server ends the subscription, storing nothing', async () => {
    const bobOnB = await profileId(b, 'bob');
    const listeners = async () => (await b.runtime.ctx.db('subscriptions').where({ subscribed_id: bobOnB })).length;
    assert.equal(await listeners(), 1, 'B still thinks alice listens');
    assert.equal((await bob.post('/notice/new', { content: 'bob after the block', returnto: '/' })).status, 303);
    await waitFor('B ends the subscription after the 403', async () => (await listeners()) === 0);
    assert.equal((await db()('notices').where({ content: 'bob after the block' })).length, 0);
  });

  it('refuses a new OMB subscription from it before asking it for anything', async () => {
    const visitor = new WebClient(a.url);
    await visitor.get('/main/remote?nickname=alice');
    const page = await visitor.post('/main/remote', { nickname: 'alice', profile_url: `${b.url}/bob` });
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /does not federate with 127\.0\.0\.1:\d+/);
    // And alice's subscription to bob stops at B's request for a token from A.
    const fromB = new WebClient(b.url);
    await fromB.get('/main/remote?nickname=bob');
    const refused = await fromB.post('/main/remote', { nickname: 'bob', profile_url: `${a.url}/alice` });
    assert.equal(refused.status, 502);
    assert.match(textOf(refused.text), /answered 403: “127\.0\.0\.1:\d+ is blocked by this server/);
  });
});
