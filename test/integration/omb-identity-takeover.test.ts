// Three servers on loopback: A (alice's, the victim's server), B (bob's real home) and M (an
// attacker speaking OMB with crafted parameters). M must not be able to become bob on A, to
// replace B's credentials, to post as bob, to claim B's notice URIs, or to become alice on B.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { authorizeAs, listeneeParams, OMB_V, startFakeOmbServer, tokenOf } from '../helpers/omb-attacker.ts';
import type { FakeOmbServer, Token } from '../helpers/omb-attacker.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let m: FakeOmbServer;
let alice: WebClient; // on A
let bob: WebClient; // on B
let aliceUri: string;
let bobUri: string;
let bobOnA: Record<string, unknown>;
let bTokenOnA: Record<string, unknown>;

const dbA = () => a.runtime.ctx.db;
const dbB = () => b.runtime.ctx.db;

async function post(client: WebClient, content: string): Promise<void> {
  const page = await client.post('/notice/new', { content, returnto: '/' });
  assert.equal(page.status, 303, textOf(page.text));
}

async function reachesAlice(content: string): Promise<void> {
  await waitFor(`“${content}” on alice’s home timeline`, async () => (await alice.get('/alice/all')).text.includes(content));
}

// A profile row without its counters (which move with every notice bob's server rightly pushes).
function withoutCounts(row: Record<string, unknown>): Record<string, unknown> {
  const { notice_count: _n, subscription_count: _s, subscriber_count: _f, ...rest } = row;
  return rest;
}

// What A knows about bob, and the credentials B pushes with, must survive every attempt.
async function assertBobIntact(): Promise<void> {
  assert.deepEqual(withoutCounts(await dbA()('profiles').where({ uri: bobUri }).first()), withoutCounts(bobOnA), 'bob’s profile on A is unchanged');
  assert.deepEqual(await dbA()('omb_access_tokens').where({ subscribed_id: bobOnA.id }), [bTokenOnA], 'B’s token is the only one for bob');
}

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  m = await startFakeOmbServer();
  const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
  assert.equal(finish.status, 303, textOf(finish.text));
  aliceUri = `${a.url}/user/${(await dbA()('profiles').where({ nickname: 'alice', is_local: true }).first()).id}`;
  bobUri = `${b.url}/user/${(await dbB()('profiles').where({ nickname: 'bob', is_local: true }).first()).id}`;
  await post(bob, 'Before any attack');
  await reachesAlice('Before any attack');
  bobOnA = await dbA()('profiles').where({ uri: bobUri }).first();
  [bTokenOnA] = await dbA()('omb_access_tokens').where({ subscribed_id: bobOnA.id });
  assert.ok(bTokenOnA);
});
after(async () => {
  await m?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('M asking alice to authorize bob as its listenee', () => {
  const hijacked = () => listeneeParams(bobUri, `${b.url}/bob`, 'bob', { omb_listenee_fullname: 'Hijacked', omb_listenee_bio: 'Send me your password' });

  it('is refused under M’s own consumer key: nothing written, B’s pushes still arrive', async () => {
    const attempt = await authorizeAs(m, a.url, alice, aliceUri, hijacked());
    assert.ok(attempt.page.status >= 400 && attempt.page.status < 500, `the page refuses: ${attempt.page.status} ${attempt.page.body}`);
    assert.match(attempt.page.body, /not served by|another server|already/i);
    assert.equal(attempt.accepted, undefined);
    // Whatever M got out of the exchange, it tries to post as bob with it.
    const token = attempt.exchanged?.status === 200 ? tokenOf(attempt.exchanged) : attempt.requestToken;
    assert.equal(attempt.exchanged?.status, 401, 'an unauthorized request token cannot be exchanged');
    assert.equal((await dbA()('omb_request_tokens').where({ token: attempt.requestToken.key }).first()).state, 'new');
    const asBob = await m.post(`${a.url}/omb/postnotice`, { omb_version: OMB_V, omb_listenee: bobUri, omb_notice: `${b.url}/notice/999999`, omb_notice_content: 'Bob here, trust me' }, { token });
    assert.equal(asBob.status, 403, `M cannot post as bob: ${asBob.body}`);
    assert.equal((await dbA()('notices').where({ content: 'Bob here, trust me' })).length, 0);
    await assertBobIntact();
    await post(bob, 'Genuine after the first attempt');
    await reachesAlice('Genuine after the first attempt');
  });

  it('is refused even when M claims B’s consumer key (it is self-asserted): B’s token is never replaced', async () => {
    const attempt = await authorizeAs(m, a.url, alice, aliceUri, hijacked(), { consumerKey: `${b.url}/`, callback: `${b.url}/omb/finishremotesubscribe` });
    assert.ok(attempt.page.status >= 400 && attempt.page.status < 500, `the page refuses: ${attempt.page.status} ${attempt.page.body}`);
    assert.match(attempt.page.body, /already subscribe/i);
    assert.equal(attempt.exchanged?.status, 401);
    await assertBobIntact();
    await post(bob, 'Genuine after the second attempt');
    await reachesAlice('Genuine after the second attempt');
  });

  it('is refused for M’s own identifier with bob’s profile URL (bob@B on every page)', async () => {
    const profiles = await dbA()('profiles').count({ n: '*' });
    const attempt = await authorizeAs(m, a.url, alice, aliceUri, listeneeParams(`${m.url}/user/1`, `${b.url}/bob`, 'bob'));
    assert.ok(attempt.page.status >= 400 && attempt.page.status < 500, `the page refuses: ${attempt.page.status} ${attempt.page.body}`);
    assert.equal(attempt.exchanged?.status, 401);
    assert.deepEqual(await dbA()('profiles').count({ n: '*' }), profiles);
  });
});

describe('M with a subscription of its own', () => {
  let malloryToken: Token;
  const notice = (extra: Record<string, string>) => ({ omb_version: OMB_V, omb_listenee: `${m.url}/user/1`, omb_notice_content: 'Bob here, trust me', ...extra });

  before(async () => {
    const attempt = await authorizeAs(m, a.url, alice, aliceUri, listeneeParams(`${m.url}/user/1`, `${m.url}/mallory`, 'mallory'));
    assert.equal(attempt.page.status, 200, attempt.page.body);
    malloryToken = tokenOf(attempt.exchanged!);
  });

  it('cannot store a notice under the URI of B’s next notice; B’s genuine notice then arrives, and M’s own still do', async () => {
    const sequence = (await dbB().raw('SELECT last_value, is_called FROM notices_id_seq')).rows[0] as { last_value: string; is_called: boolean };
    const nextId = Number(sequence.last_value) + (sequence.is_called ? 1 : 0);
    const stolenUri = `${b.url}/notice/${nextId}`;
    const notices = await dbA()('notices').count({ n: '*' });
    const byUri = await m.post(`${a.url}/omb/postnotice`, notice({ omb_notice: stolenUri }), { token: malloryToken });
    assert.ok(byUri.status >= 400 && byUri.status < 500 && byUri.status !== 403, `refused without ending the subscription: ${byUri.status} ${byUri.body}`);
    assert.match(byUri.body, /notice URI/);
    const byUrl = await m.post(`${a.url}/omb/postnotice`, notice({ omb_notice: `${m.url}/notice/2`, omb_notice_url: stolenUri }), { token: malloryToken });
    assert.ok(byUrl.status >= 400 && byUrl.status < 500 && byUrl.status !== 403, `refused: ${byUrl.status} ${byUrl.body}`);
    assert.deepEqual(await dbA()('notices').count({ n: '*' }), notices, 'nothing stored');

    await post(bob, 'The genuine next notice');
    await reachesAlice('The genuine next notice');
    const stored = await dbA()('notices').where({ uri: stolenUri }).first();
    assert.equal(stored.content, 'The genuine next notice');
    assert.equal(Number(stored.profile_id), Number(bobOnA.id));
    const own = await m.post(`${a.url}/omb/postnotice`, notice({ omb_notice: `${m.url}/notice/3`, omb_notice_url: `${m.url}/notice/3`, omb_notice_content: 'Mallory speaking' }), { token: malloryToken });
    assert.equal(own.status, 200, `M’s notices under its own URIs still arrive: ${own.body}`);
  });

});

describe('M presenting itself to B as alice (the other direction)', () => {
  it('is refused when its XRDS names alice’s identifier with M’s endpoints; B keeps pushing to A', async () => {
    const bobId = (await dbB()('profiles').where({ nickname: 'bob', is_local: true }).first()).id;
    const [listenerBefore] = await dbB()('omb_remote_listeners').where({ subscribed_id: bobId });
    const aliceOnB = await dbB()('profiles').where({ uri: aliceUri }).first();
    assert.ok(listenerBefore && aliceOnB);
    m.publishXrds('/alice', {
      requestToken: `${m.url}/omb/requesttoken`,
      authorize: `${m.url}/omb/userauthorization`,
      accessToken: `${m.url}/omb/accesstoken`,
      postNotice: `${m.url}/omb/postnotice`,
      updateProfile: `${m.url}/omb/updateprofile`,
      localId: aliceUri,
    });
    m.routes.set('POST /omb/requesttoken', () => ({ body: 'oauth_token=rt0000000000000000000000000000000&oauth_token_secret=rs0000000000000000000000000000000' }));
    m.routes.set('POST /omb/accesstoken', () => ({ body: 'oauth_token=at0000000000000000000000000000000&oauth_token_secret=as0000000000000000000000000000000' }));
    m.routes.set('POST /omb/postnotice', () => ({ body: `omb_version=${OMB_V}` }));

    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const submitted = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${m.url}/alice` });
    if (submitted.status === 303) {
      // Without the rule the dance goes on: M "authorizes" and the visitor comes back to B.
      const token = new URL(submitted.location!).searchParams.get('oauth_token');
      await visitor.get(`/omb/finishremotesubscribe?oauth_token=${token}&omb_version=${encodeURIComponent(OMB_V)}&omb_listener_nickname=alice&omb_listener_profile=${encodeURIComponent(`${a.url}/alice`)}&omb_listener_fullname=Not%20alice`);
    }
    assert.equal(submitted.status, 400, textOf(submitted.text));
    assert.match(textOf(submitted.text), /not on the site|another site|different site/i);
    assert.deepEqual(await dbB()('omb_remote_listeners').where({ subscribed_id: bobId }), [listenerBefore], 'B still pushes to A with A’s token');
    assert.deepEqual(await dbB()('profiles').where({ uri: aliceUri }).first(), aliceOnB);
    await post(bob, 'Still for the real alice');
    await reachesAlice('Still for the real alice');
    assert.ok(!m.calls.some((call) => call.route === 'POST /omb/postnotice'), 'nothing was pushed to M');
  });

  it('is refused when M’s own listener comes back with alice’s profile URL (alice@A on every page)', async () => {
    m.publishXrds('/mallory', {
      requestToken: `${m.url}/omb/requesttoken`,
      authorize: `${m.url}/omb/userauthorization`,
      accessToken: `${m.url}/omb/accesstoken`,
      postNotice: `${m.url}/omb/postnotice`,
      updateProfile: `${m.url}/omb/updateprofile`,
      localId: `${m.url}/user/1`,
    });
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const submitted = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${m.url}/mallory` });
    assert.equal(submitted.status, 303, textOf(submitted.text));
    const token = new URL(submitted.location!).searchParams.get('oauth_token');
    const profiles = await dbB()('profiles').count({ n: '*' });
    const finish = await visitor.get(`/omb/finishremotesubscribe?oauth_token=${token}&omb_version=${encodeURIComponent(OMB_V)}&omb_listener_nickname=alice&omb_listener_profile=${encodeURIComponent(`${a.url}/alice`)}`);
    assert.equal(finish.status, 400, textOf(finish.text));
    assert.match(textOf(finish.text), /another site than your identifier/);
    assert.deepEqual(await dbB()('profiles').count({ n: '*' }), profiles);
    assert.equal((await dbB()('profiles').where({ uri: `${m.url}/user/1` })).length, 0);
  });
});
