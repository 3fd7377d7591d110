// A host that deliveries have failed to reach for days is not attempted, but once an hour: its
// deliveries are kept as dead deliveries waiting for it (listed and requeue-able like any), and the
// host's first answer ends its streak and sends them. For ActivityPub (ap.deliver, to an
// independent peer) and OMB (omb.push, between two Ostrakons). Failures to reach a host are counted
// in its streak; an answer clears it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listDeadLetters } from '../../src/federation/dead-letters.ts';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

type Db = TestServer['runtime']['ctx']['db'];

// The host as it would be after three days of failures, its last attempt just made.
async function downForDays(db: Db, host: string): Promise<void> {
  await db.raw(
    `INSERT INTO delivery_hosts (host, failing_since, failures, last_attempt_at, last_error) VALUES (?, now() - interval '3 days', 40, now(), 'connection refused')
     ON CONFLICT (host) DO UPDATE SET failing_since = excluded.failing_since, last_attempt_at = now()`,
    [host],
  );
}

async function probeDue(db: Db, host: string): Promise<void> {
  await db('delivery_hosts').where({ host }).update({ last_attempt_at: db.raw(`now() - interval '2 hours'`) });
}

async function waiting(db: Db, host: string): Promise<{ job_name: string; last_error: string }[]> {
  return db('dead_deliveries').where({ waiting_for_host: host }).orderBy('id');
}

describe('ActivityPub deliveries to a host failing for days', () => {
  let server: TestServer;
  let peer: ApPeer;
  let alice: WebClient;
  const creates = () => peer.received.filter((a) => a.type === 'Create').map((a) => String((a.json.object as { content: string }).content));

  before(async () => {
    server = await startTestServer({ env: FEDERATION_ENV });
    alice = await registeredClient(server.url, 'alice');
    peer = await startApPeer();
    await peer.follow('peer', await peer.resolve(`@alice@${new URL(server.url).host}`));
    await waitFor('the Accept', async () => peer.received.some((a) => a.type === 'Accept'));
  });
  after(async () => {
    await peer?.stop();
    await server?.stop();
  });

  it('counts failures to reach a host in its streak', async () => {
    const db = server.runtime.ctx.db;
    // A follower whose server is gone: nothing listens on port 1.
    const [{ id }] = await db('profiles').insert({ nickname: 'gone', is_local: false, uri: 'http://127.0.0.1:1/users/gone', profile_url: 'http://127.0.0.1:1/@gone' }).returning('id');
    await db('ap_actors').insert({ profile_id: id, actor_id: 'http://127.0.0.1:1/users/gone', inbox_url: 'http://127.0.0.1:1/inbox' });
    const aliceId = (await db('profiles').where({ nickname: 'alice', is_local: true }).first()).id;
    await db('subscriptions').insert({ subscriber_id: id, subscribed_id: aliceId });
    await alice.post('/notice/new', { content: 'To everyone still there', returnto: '/' });
    await waitFor('a failure recorded', async () => (await db('delivery_hosts').where({ host: '127.0.0.1:1' })).length === 1);
    const streak = await db('delivery_hosts').where({ host: '127.0.0.1:1' }).first();
    assert.match(streak.last_error, /127\.0\.0\.1:1/);
    await waitFor('the peer got it', async () => creates().some((c) => c.includes('To everyone still there')));
    assert.equal((await db('delivery_hosts').where({ host: peer.host })).length, 0, 'a host that answers has no streak');
    await db('subscriptions').where({ subscriber_id: id }).delete();
  });

  it('keeps deliveries to a host down for days until it answers again, then sends them', async () => {
    const db = server.runtime.ctx.db;
    await downForDays(db, peer.host);
    const before = creates().length;
    for (const text of ['First while down', 'Second while down']) await alice.post('/notice/new', { content: text, returnto: '/' });
    await waitFor('both kept for the host', async () => (await waiting(db, peer.host)).length === 2);
    const kept = await waiting(db, peer.host);
    for (const delivery of kept) {
      assert.equal(delivery.job_name, 'ap.deliver');
      assert.match(delivery.last_error, /has failed since/);
    }
    const listed = await listDeadLetters(server.runtime.ctx, { host: peer.host });
    assert.equal(listed.length, 2, 'an admin sees them among the dead deliveries');
    assert.equal(creates().length, before, 'the host was not asked');

    // An hour on, the next delivery is tried; the host answers, and what waited goes out.
    await probeDue(db, peer.host);
    await alice.post('/notice/new', { content: 'Third, tried', returnto: '/' });
    await waitFor('all three at the peer', async () => creates().length === before + 3, 20_000);
    const arrived = creates().slice(before);
    assert.ok(arrived[0]!.includes('Third, tried'), 'the probe first');
    for (const text of ['First while down', 'Second while down']) assert.ok(arrived.some((c) => c.includes(text)), `${text}: ${arrived.join(' | ')}`);
    assert.equal((await waiting(db, peer.host)).length, 0);
    assert.equal((await db('delivery_hosts').where({ host: peer.host })).length, 0, 'the streak is over');
  });
});

describe('OMB deliveries to a host failing for days', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: WebClient;
  let bob: WebClient;

  before(async () => {
    ({ a, b, alice, bob } = await startTwoSites());
    await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('keeps pushes to a host down for days until it answers again, then sends them after the one that answered', async () => {
    const db = b.runtime.ctx.db;
    const aHost = new URL(a.url).host;
    await downForDays(db, aHost);
    await bob.post('/notice/new', { content: 'Pushed while down', returnto: '/' });
    await waitFor('kept for the host', async () => (await waiting(db, aHost)).length === 1);
    assert.equal((await waiting(db, aHost))[0]!.job_name, 'omb.push');
    assert.ok(!textOf((await alice.get('/alice/all')).text).includes('Pushed while down'));

    await probeDue(db, aHost);
    await bob.post('/notice/new', { content: 'Pushed on the hour', returnto: '/' });
    await waitFor('both at A', async () => {
      const home = textOf((await alice.get('/alice/all')).text);
      return home.includes('Pushed while down') && home.includes('Pushed on the hour');
    }, 20_000);
    assert.equal((await waiting(db, aHost)).length, 0);
    assert.equal((await db('delivery_hosts').where({ host: aHost })).length, 0);
  });

  it('ends a streak of a few minutes when the host answers a push', async () => {
    // The push reads the streak with its gate, and only then clears it.
    const db = b.runtime.ctx.db;
    const aHost = new URL(a.url).host;
    await db('delivery_hosts').insert({ host: aHost, failing_since: db.raw(`now() - interval '5 minutes'`), failures: 3, last_error: 'connection refused' });
    await bob.post('/notice/new', { content: 'Pushed after a short outage', returnto: '/' });
    await waitFor('at A', async () => textOf((await alice.get('/alice/all')).text).includes('Pushed after a short outage'), 20_000);
    await waitFor('the streak over', async () => (await db('delivery_hosts').where({ host: aHost })).length === 0);
  });
});
