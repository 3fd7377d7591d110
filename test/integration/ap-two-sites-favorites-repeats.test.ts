// Two Ostrakons favoriting and repeating each other's notices over ActivityPub on loopback: a
// favorite on A counts on B's notice (and goes when taken back), a repeat on either side reaches
// the repeater's followers on the other, as "Repeated by", until it is undone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latestNoticeId, profileId } from '../helpers/moderation.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient;
let dan: WebClient;
let bob: WebClient;
let carol: WebClient;

async function follow(client: WebClient, handle: string): Promise<void> {
  await client.get('/main/follow');
  const page = await client.post('/main/follow', { handle });
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
}

const hostOf = (server: TestServer) => new URL(server.url).host;
const subscriptions = async (server: TestServer) => Number((await server.runtime.ctx.db('subscriptions').count({ n: '*' }))[0]!.n);

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV })]);
  [alice, dan, bob, carol] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(a.url, 'dan'), registeredClient(b.url, 'bob'), registeredClient(b.url, 'carol')]);
  // alice and dan (A) follow bob (B); bob and carol (B) follow alice (A).
  await follow(alice, `@bob@${hostOf(b)}`);
  await follow(dan, `@bob@${hostOf(b)}`);
  await follow(bob, `@alice@${hostOf(a)}`);
  await follow(carol, `@alice@${hostOf(a)}`);
  await waitFor('four subscriptions on each side', async () => (await subscriptions(a)) === 4 && (await subscriptions(b)) === 4, 30_000);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('favorites and repeats between two Ostrakons', () => {
  let bobsOnB: number;
  let bobsOnA: number;

  it("counts alice's favorite on bob's notice on B, and takes it away when she does", async () => {
    assert.equal((await bob.post('/notice/new', { content: 'From B, for favoriting', returnto: '/' })).status, 303);
    bobsOnB = await latestNoticeId(b, 'bob');
    await waitFor("bob's notice on A", async () => (await a.runtime.ctx.db('notices').where({ uri: `${b.url}/notice/${bobsOnB}` }).first()) !== undefined, 20_000);
    bobsOnA = (await a.runtime.ctx.db('notices').where({ uri: `${b.url}/notice/${bobsOnB}` }).first()).id;

    await alice.get('/alice/all');
    assert.equal((await alice.post('/main/favor', { notice: String(bobsOnA) })).status, 303);
    await waitFor('the favorite on B', async () => /1 favorite/.test(textOf((await new WebClient(b.url).get(`/notice/${bobsOnB}`)).text)), 20_000);
    const favorite = await b.runtime.ctx.db('favorites as f').join('profiles as p', 'p.id', 'f.profile_id').where('f.notice_id', bobsOnB).first('p.uri');
    assert.equal(favorite.uri, `${a.url}/users/alice`);

    assert.equal((await alice.post('/main/disfavor', { notice: String(bobsOnA) })).status, 303);
    await waitFor('the favorite gone on B', async () => (await b.runtime.ctx.db('favorites').where({ notice_id: bobsOnB })).length === 0, 20_000);
  });

  it("puts alice's repeat of bob's notice in carol's home timeline on B, and takes it out on undo", async () => {
    assert.equal((await alice.post('/main/repeat', { notice: String(bobsOnA) })).status, 303);
    await waitFor("the repeat in carol's home on B", async () => /Repeated by alice bob From B, for favoriting/.test(textOf((await carol.get('/carol/all')).text)), 20_000);
    const repeat = await b.runtime.ctx.db('notices').where({ repeat_of: bobsOnB }).first();
    assert.equal(repeat.profile_id, (await b.runtime.ctx.db('profiles').where({ uri: `${a.url}/users/alice` }).first()).id);
    assert.deepEqual(noticeIds((await bob.get('/bob/all')).text).filter((id) => id === repeat.id), [], 'bob has his own notice already: not shown twice');

    assert.equal((await alice.post('/main/unrepeat', { notice: String(bobsOnA) })).status, 303);
    await waitFor('the repeat gone on B', async () => (await b.runtime.ctx.db('notices').where({ repeat_of: bobsOnB })).length === 0, 20_000);
    assert.doesNotMatch(textOf((await carol.get('/carol/all')).text), /Repeated by alice/);
  });

  it("puts bob's repeat of alice's notice in dan's home timeline on A", async () => {
    assert.equal((await alice.post('/notice/new', { content: 'From A, for repeating', returnto: '/' })).status, 303);
    const alicesOnA = await latestNoticeId(a, 'alice');
    await waitFor("alice's notice on B", async () => (await b.runtime.ctx.db('notices').where({ uri: `${a.url}/notice/${alicesOnA}` }).first()) !== undefined, 20_000);
    const alicesOnB = (await b.runtime.ctx.db('notices').where({ uri: `${a.url}/notice/${alicesOnA}` }).first()).id;
    await bob.get('/bob/all');
    assert.equal((await bob.post('/main/repeat', { notice: String(alicesOnB) })).status, 303);
    await waitFor("the repeat in dan's home on A", async () => /Repeated by bob alice From A, for repeating/.test(textOf((await dan.get('/dan/all')).text)), 20_000);
    const repeat = await a.runtime.ctx.db('notices').where({ repeat_of: alicesOnA }).first();
    assert.equal(repeat.profile_id, (await a.runtime.ctx.db('profiles').where({ uri: `${b.url}/users/bob` }).first()).id);
    assert.notEqual(repeat.profile_id, await profileId(a, 'alice'));
  });
});
