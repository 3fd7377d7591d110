// Order and one-at-a-time delivery per remote endpoint. OMB 0.1 carries no timestamp, so a
// receiving server orders notices by arrival: each endpoint gets them first in first out, later
// ones waiting behind one being retried, while other endpoints never wait. Profile updates go one
// at a time per endpoint too, and pending ones collapse into the latest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FEDERATION_ENV, remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { addRemoteListener, OMB_SUCCESS, startFakeEndpoint } from '../helpers/fake-endpoint.ts';
import type { FakeEndpoint } from '../helpers/fake-endpoint.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

async function post(client: WebClient, content: string): Promise<void> {
  const page = await client.post('/notice/new', { content, returnto: '/' });
  assert.equal(page.status, 303, textOf(page.text));
}

async function saveBio(client: WebClient, bio: string): Promise<void> {
  const page = await client.post('/settings/profile', { fullname: 'Bob', bio, location: '', homepage: '' });
  assert.equal(page.status, 303, textOf(page.text));
}

const contents = (params: URLSearchParams[]) => params.map((p) => p.get('omb_notice_content'));

describe('deliveries to fake endpoints', () => {
  let b: TestServer;
  let bob: WebClient;
  const endpoints: FakeEndpoint[] = [];
  const endpoint = async () => {
    const started = await startFakeEndpoint();
    endpoints.push(started);
    return started;
  };

  before(async () => {
    b = await startTestServer({ env: FEDERATION_ENV });
    bob = await registeredClient(b.url, 'bob');
  });
  after(async () => {
    for (const e of endpoints) e.close();
    await b?.stop();
  });

  it('sends four notices posted within a second one at a time, in the order they were posted', async () => {
    const slow = await endpoint();
    slow.delayMs = 300;
    await addRemoteListener(b, 'bob', 'slowfan', slow.url);
    const posted = ['first', 'second', 'third', 'fourth'];
    for (const content of posted) await post(bob, content);
    await waitFor('four deliveries', async () => slow.received.length === 4 && slow.inFlight === 0, 20_000);
    assert.deepEqual(contents(slow.received), posted);
    assert.equal(slow.maxInFlight, 1, 'one request at a time to one endpoint');
  });

  it('keeps later notices behind one being retried, while a healthy endpoint gets them all at once', async () => {
    const flaky = await endpoint();
    const healthy = await endpoint();
    let down = true;
    flaky.answer = () => (down ? { status: 503, body: 'Service Unavailable' } : { status: 200, body: OMB_SUCCESS });
    await addRemoteListener(b, 'bob', 'flakyfan', flaky.url);
    await addRemoteListener(b, 'bob', 'healthyfan', healthy.url);
    const posted = ['outage one', 'outage two', 'outage three'];
    for (const content of posted) await post(bob, content);
    await waitFor('all three on the healthy endpoint', async () => healthy.received.length === 3, 10_000);
    assert.deepEqual(contents(healthy.received), posted);
    await waitFor('a retry on the flaky endpoint', async () => flaky.received.length >= 2, 10_000);
    assert.deepEqual(new Set(contents(flaky.received)), new Set(['outage one']), 'nothing overtakes the notice being retried');
    down = false;
    await waitFor('all three on the flaky endpoint', async () => new Set(contents(flaky.received)).size === 3 && flaky.inFlight === 0, 20_000);
    const firstSeen = [...new Set(contents(flaky.received))];
    assert.deepEqual(firstSeen, posted, 'after the outage they arrive 1, 2, 3');
    assert.equal(flaky.maxInFlight, 1);
  });

  it('sends one profile update at a time per endpoint, and only the latest of those waiting', async () => {
    const slow = await endpoint();
    slow.delayMs = 700;
    await addRemoteListener(b, 'bob', 'profilefan', slow.url);
    slow.received.length = 0;
    for (const bio of ['one', 'two', 'three']) await saveBio(bob, bio);
    await waitFor('the latest profile', async () => slow.received.some((p) => p.get('omb_listenee_bio') === 'three') && slow.inFlight === 0, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // nothing else is on its way
    const updates = slow.received.filter((p) => p.has('omb_listenee_bio'));
    assert.equal(slow.maxInFlight, 1, 'never two updateProfile requests at once');
    assert.ok(updates.length <= 2, `the saves in between collapse (${updates.map((p) => p.get('omb_listenee_bio')).join(', ')})`);
    assert.equal(updates.at(-1)!.get('omb_listenee_bio'), 'three');
  });
});

describe('order between two Ostrakon servers', () => {
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

  const arrived = async (prefix: string) =>
    (await a.runtime.ctx.db('notices').where('content', 'like', `${prefix}%`).orderBy('id')).map((n) => n.content as string);

  it('shows four notices posted within a second on A in the order they were posted', async () => {
    const posted = ['quick 1', 'quick 2', 'quick 3', 'quick 4'];
    for (const content of posted) await post(bob, content);
    await waitFor('the four notices on A', async () => (await arrived('quick')).length === 4, 20_000);
    assert.deepEqual(await arrived('quick'), posted);
  });

  it('delivers notices posted while A was down in the order they were posted', async () => {
    await a.halt();
    const posted = ['down 1', 'down 2', 'down 3'];
    for (const content of posted) await post(bob, content);
    await waitFor('a failed attempt', async () => (await b.runtime.ctx.db('pgboss.job').where({ name: 'omb.push', state: 'retry' })).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // retries with jitter pile up
    await a.restart();
    await waitFor('the three notices on A', async () => (await arrived('down')).length === 3, 30_000);
    assert.deepEqual(await arrived('down'), posted);
  });

  it('brings the latest of two quick profile saves to A', async () => {
    await saveBio(bob, 'first bio');
    await saveBio(bob, 'second bio');
    const remote = await a.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: false }).first();
    await waitFor('the latest bio on A', async () => (await a.runtime.ctx.db('profiles').where({ id: remote.id }).first()).bio === 'second bio', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await a.runtime.ctx.db('profiles').where({ id: remote.id }).first()).bio, 'second bio', 'no older update lands after it');
  });
});
