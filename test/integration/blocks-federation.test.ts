// Blocks across servers. Over ActivityPub, with the independent peer: blocking a remote actor
// sends Undo(Follow) and Block, ends both subscriptions, answers their next Follow with a Reject and
// refuses following them; unblocking sends Undo(Block); a remote actor's Block of a local user ends
// the subscriptions between them. Over OMB, with two Ostrakons: a blocked remote person cannot
// subscribe again, and the blocker cannot subscribe to them, by either side's authorization.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { profileId } from '../helpers/moderation.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A
let bob: WebClient; // on B
let peer: ApPeer;
let aliceId: number;

const db = () => a.runtime.ctx.db;
const idOf = async (uri: string) => Number((await db()('profiles').where({ uri }).first('id'))?.id ?? 0);
const subscribed = async (subscriber: number, subscribed: number) => (await db()('subscriptions').where({ subscriber_id: subscriber, subscribed_id: subscribed })).length === 1;
const received = (type: string, test: (json: Record<string, unknown>) => boolean = () => true) => peer.received.filter((x) => x.type === type && test(x.json));

async function followPeer(name: string): Promise<number> {
  peer.answers.set(name, 'accept');
  await alice.get('/main/follow');
  const page = await alice.post('/main/follow', { handle: `@${name}@${peer.host}` });
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
  const id = await idOf(peer.actorUri(name));
  await waitFor(`alice follows ${name}`, () => subscribed(aliceId, id));
  return id;
}

async function peerFollowsAlice(name: string): Promise<void> {
  const before = received('Accept').length + received('Reject').length;
  await peer.follow(name, await peer.resolve(`@alice@${new URL(a.url).host}`));
  await waitFor(`A answers ${name}'s Follow`, async () => received('Accept').length + received('Reject').length > before);
}

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites());
  peer = await startApPeer();
  aliceId = await profileId(a, 'alice');
});
after(async () => {
  await peer?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('blocking over ActivityPub', () => {
  let peerId: number;

  it('sends Undo(Follow) and Block, and ends the subscriptions both ways', async () => {
    await peerFollowsAlice('peer');
    peerId = await followPeer('peer');
    assert.ok(await subscribed(peerId, aliceId), 'peer follows alice');
    await alice.get(`/remote/${peerId}`);
    assert.equal((await alice.post('/main/block', { profile: String(peerId) })).status, 303);
    assert.equal(await subscribed(peerId, aliceId), false);
    assert.equal(await subscribed(aliceId, peerId), false);
    await waitFor('the Block at the peer', async () => received('Block').length === 1);
    const block = received('Block')[0]!.json;
    assert.equal(block.actor, `${a.url}/users/alice`);
    assert.equal(block.object, peer.actorUri('peer'));
    await waitFor('the Undo(Follow) at the peer', async () => received('Undo', (json) => (json.object as { type?: string }).type === 'Follow').length === 1);
    assert.match((await alice.get(`/remote/${peerId}`)).text, /action="\/main\/unblock"/);
  });

  it('answers their next Follow with a Reject, and refuses following them', async () => {
    await peerFollowsAlice('peer');
    assert.equal(received('Reject').length, 1, 'a Reject, not an Accept');
    assert.equal(((received('Reject')[0]!.json.object as { actor?: string }).actor), peer.actorUri('peer'));
    assert.equal(await subscribed(peerId, aliceId), false);
    await alice.get('/main/follow');
    const page = await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /unblock them first/);
    assert.equal((await db()('ap_follows').where({ follower_id: aliceId, followee_id: peerId })).length, 0, 'no Follow is recorded or sent');
  });

  it('sends Undo(Block) when she unblocks, and then accepts their Follow again', async () => {
    assert.equal((await alice.post('/main/unblock', { profile: String(peerId) })).status, 303);
    await waitFor('the Undo(Block) at the peer', async () => received('Undo', (json) => (json.object as { type?: string }).type === 'Block').length === 1);
    await peerFollowsAlice('peer');
    assert.ok(await subscribed(peerId, aliceId));
  });

  it("ends both subscriptions when a remote actor blocks her", async () => {
    await peerFollowsAlice('mallory');
    const malloryId = await followPeer('mallory');
    assert.ok((await subscribed(malloryId, aliceId)) && (await subscribed(aliceId, malloryId)));
    const block = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('mallory')}#blocks/1`, type: 'Block', actor: peer.actorUri('mallory'), object: `${a.url}/users/alice` };
    const response = await peer.signedPost('mallory', `${a.url}/users/alice/inbox`, JSON.stringify(block));
    assert.ok(response.status < 300, String(response.status));
    assert.equal(await subscribed(malloryId, aliceId), false);
    assert.equal(await subscribed(aliceId, malloryId), false);
  });
});

describe('blocking over OMB', () => {
  let bobOnA: number;

  it('ends the subscription of a remote OMB listener and refuses their new one', async () => {
    const { finish } = await remoteSubscribe(a, 'alice', bob, `${b.url}/bob`);
    assert.equal(finish.status, 303);
    bobOnA = await idOf(`${b.url}/user/${await profileId(b, 'bob')}`);
    assert.ok(await subscribed(bobOnA, aliceId));
    await alice.get(`/remote/${bobOnA}`);
    assert.equal((await alice.post('/main/block', { profile: String(bobOnA) })).status, 303);
    assert.equal(await subscribed(bobOnA, aliceId), false);
    assert.equal((await db()('omb_remote_listeners').where({ subscribed_id: aliceId })).length, 0, 'nothing is pushed to him any more');

    // He tries again from alice's profile: refused on the form, before any token is asked for.
    const visitor = new WebClient(a.url);
    await visitor.get('/main/remote?nickname=alice');
    const page = await visitor.post('/main/remote', { nickname: 'alice', profile_url: `${b.url}/bob` });
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /alice has blocked bob@127\.0\.0\.1:\d+ from subscribing/);
    assert.equal(await subscribed(bobOnA, aliceId), false);
  });

  it("refuses alice's own OMB subscription to him at her authorization page", async () => {
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const submitted = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${a.url}/alice` });
    assert.equal(submitted.status, 303, textOf(submitted.text));
    const authorize = new URL(submitted.location!);
    const page = await alice.get(authorize.pathname + authorize.search);
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /unblock them first/);
    assert.equal(await subscribed(aliceId, bobOnA), false);
  });
});
