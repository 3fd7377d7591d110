// A local user follows someone on an ActivityPub server from the "another server" form: resolved
// by handle, Follow sent, subscribed only once the Accept arrives; a Reject leaves no subscription;
// nobody but the followed actor can accept; bad input is answered on the form with a 400.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;
let aliceId: number;

async function profileIdOf(actor: string): Promise<number | undefined> {
  return (await server.runtime.ctx.db('profiles').where({ uri: actor }).first())?.id;
}

async function subscribed(remoteId: number | undefined): Promise<boolean> {
  if (remoteId === undefined) return false;
  return (await server.runtime.ctx.db('subscriptions').where({ subscriber_id: aliceId, subscribed_id: remoteId })).length === 1;
}

function followsFor(name: string) {
  return peer.received.filter((a) => a.type === 'Follow' && a.json.object === peer.actorUri(name));
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  aliceId = (await server.runtime.ctx.db('profiles').where({ nickname: 'alice', is_local: true }).first()).id;
  peer = await startApPeer();
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('subscribing to someone on an ActivityPub server', () => {
  it('shows the form to signed-in users only', async () => {
    assert.equal((await new WebClient(server.url).get('/main/follow')).status, 303);
    const page = await alice.get('/main/follow');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="handle"/);
  });

  it('waits for the Accept before subscribing', async () => {
    const page = await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    const peerId = await profileIdOf(peer.actorUri('peer'));
    assert.equal(page.location, `/remote/${peerId}`);
    await waitFor('the Follow at the peer', async () => followsFor('peer').length === 1);
    const follow = followsFor('peer')[0]!.json;
    assert.equal(follow.actor, `${server.url}/users/alice`);
    assert.equal(await subscribed(peerId), false, 'pending until accepted');

    // Someone else accepting alice's follow of peer changes nothing.
    const forged = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('mallory')}#forged`, type: 'Accept', actor: peer.actorUri('mallory'), object: follow.id };
    await peer.follow('mallory', await peer.resolve(`@alice@${new URL(server.url).host}`)); // mallory becomes known here
    await waitFor('mallory known', async () => (await profileIdOf(peer.actorUri('mallory'))) !== undefined);
    const response = await peer.signedPost('mallory', `${server.url}/inbox`, JSON.stringify(forged));
    assert.ok(response.status < 300, String(response.status));
    assert.equal(await subscribed(peerId), false, 'only the followed actor can accept');

    // The real Accept, sent by peer (as a Mastodon would), starts the subscription.
    const accept = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('peer')}#accept-1`, type: 'Accept', actor: peer.actorUri('peer'), object: follow };
    assert.ok((await peer.signedPost('peer', `${server.url}/users/alice/inbox`, JSON.stringify(accept))).status < 300);
    await waitFor('the subscription', () => subscribed(peerId));
    const subscriptions = await alice.get('/alice/subscriptions');
    assert.ok(textOf(subscriptions.text).includes(`peer@${peer.host}`));
    assert.match(subscriptions.text, /href="\/main\/follow"/, 'her subscriptions page offers the form');
  });

  it('sends Undo(Follow) with the original Follow when she unsubscribes', async () => {
    const peerId = await profileIdOf(peer.actorUri('peer'));
    const followId = followsFor('peer')[0]!.json.id;
    await alice.get(`/remote/${peerId}`);
    const page = await alice.post(`/remote/${peerId}/unsubscribe`, {});
    assert.equal(page.status, 303);
    assert.equal(await subscribed(peerId), false);
    await waitFor('the Undo at the peer', async () => peer.received.some((a) => a.type === 'Undo'));
    const undo = peer.received.find((a) => a.type === 'Undo')!.json;
    assert.equal(undo.actor, `${server.url}/users/alice`);
    assert.equal((undo.object as { id: string }).id, followId);
    assert.equal((undo.object as { object: string }).object, peer.actorUri('peer'));
  });

  it('leaves no subscription when the other side rejects', async () => {
    peer.answers.set('mallory', 'reject');
    const page = await alice.post('/main/follow', { handle: peer.actorUri('mallory') });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    const malloryId = await profileIdOf(peer.actorUri('mallory'));
    await waitFor('the Reject to be handled', async () => (await server.runtime.ctx.db('ap_follows').where({ followee_id: malloryId! })).length === 0);
    assert.equal(await subscribed(malloryId), false);
  });

  it('subscribes when the other side accepts by itself', async () => {
    peer.answers.set('mallory', 'accept');
    const page = await alice.post('/main/follow', { handle: `mallory@${peer.host}` });
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    await waitFor('the subscription', async () => subscribed(await profileIdOf(peer.actorUri('mallory'))));
  });

  it('answers bad input on the form with a 400', async () => {
    for (const handle of ['not a handle', `@nobody@${peer.host}`, `@alice@${new URL(server.url).host}`, 'http://169.254.169.254/actor', '']) {
      await alice.get('/main/follow');
      const page = await alice.post('/main/follow', { handle });
      assert.equal(page.status, 400, `${handle}: ${page.status} ${textOf(page.text).slice(0, 200)}`);
      assert.match(page.text, /role="alert"/);
    }
  });
});
