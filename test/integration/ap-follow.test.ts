// A local user follows someone on an ActivityPub server from the "another server" box: resolved by
// handle and shown with a button to confirm, Follow sent, subscribed only once the Accept arrives
// (pending meanwhile); a Reject leaves no subscription; nobody but the followed actor can accept;
// unknown people, unreachable hosts, things that are not people, herself and people she already
// reads are answered on the form with a 4xx and what she typed.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
// Serves what is not a person: a web page and a Note.
let other: http.Server;
let otherUrl: string;
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
  other = http.createServer((req, res) => {
    if (req.url === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>A page</title></head><body>Nobody here</body></html>');
    if (req.url === '/note') {
      const note = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${otherUrl}/note`, type: 'Note', content: 'just a note' };
      return res.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(note));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
after(async () => {
  await peer?.stop();
  await server?.stop();
  await new Promise((resolve) => other?.close(resolve));
});

// The confirmation page for what she typed in the box, and the fields its button posts.
async function confirmation(handle: string): Promise<{ text: string; fields: Record<string, string> }> {
  const page = await alice.get(`/main/follow?handle=${encodeURIComponent(handle)}`);
  assert.equal(page.status, 200, textOf(page.text).slice(0, 400));
  const form = /<form method="post" action="\/main\/follow"[\s\S]*?<\/form>/.exec(page.text)?.[0];
  assert.ok(form, 'the page has a button to confirm');
  const fields = Object.fromEntries([...form.matchAll(/name="(handle|protocol)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  return { text: page.text, fields };
}

describe('subscribing to someone on an ActivityPub server', () => {
  it('shows the form to signed-in users only', async () => {
    assert.equal((await new WebClient(server.url).get('/main/follow')).status, 303);
    const page = await alice.get('/main/follow');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="handle"/);
  });

  it('shows who a handle names and waits for the Accept before subscribing', async () => {
    const shown = await confirmation(`@peer@${peer.host}`);
    assert.equal(shown.fields.handle, peer.actorUri('peer'));
    assert.equal(shown.fields.protocol, 'activitypub');
    const text = textOf(shown.text);
    assert.ok(text.includes(`Subscribe to peer@${peer.host}?`), text.slice(0, 300));
    assert.ok(text.includes('Peer peer'));
    assert.ok(text.includes('I live elsewhere'), 'the bio, as text');
    assert.ok(!shown.text.includes('<script>alert'), 'the bio is inert');
    assert.equal(followsFor('peer').length, 0, 'nothing is sent before she confirms');
    assert.equal(await profileIdOf(peer.actorUri('peer')), undefined, 'nor kept');

    const page = await alice.post('/main/follow', shown.fields);
    assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
    const peerId = await profileIdOf(peer.actorUri('peer'));
    assert.equal(page.location, `/remote/${peerId}`);
    await waitFor('the Follow at the peer', async () => followsFor('peer').length === 1);
    const follow = followsFor('peer')[0]!.json;
    assert.equal(follow.actor, `${server.url}/users/alice`);
    assert.equal(await subscribed(peerId), false, 'pending until accepted');
    const pending = await confirmation(`@peer@${peer.host}`);
    assert.match(pending.text, /id="follow-pending"/, 'the box says she is waiting for an answer');
    assert.match(pending.text, />Ask again</);

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
    assert.match(subscriptions.text, /<form method="get" action="\/main\/follow"/, 'her subscriptions page has the box');
    assert.match((await alice.get('/alice/all')).text, /<form method="get" action="\/main\/follow"/, 'so has her home timeline');
    assert.doesNotMatch((await alice.get('/alice')).text, /action="\/main\/follow"/, 'her notices page has not');
  });

  it('answers a person she already reads with a 409, on the form', async () => {
    for (const handle of [`@peer@${peer.host}`, peer.actorUri('peer')]) {
      const page = await alice.get(`/main/follow?handle=${encodeURIComponent(handle)}`);
      assert.equal(page.status, 409, textOf(page.text).slice(0, 300));
      assert.ok(textOf(page.text).includes(`You already subscribe to peer@${peer.host}`));
      assert.ok(page.text.includes(`value="${handle}"`), 'what she typed is on the form again');
      const posted = await alice.post('/main/follow', { handle, protocol: 'activitypub' });
      assert.equal(posted.status, 409);
    }
    assert.equal(followsFor('peer').length, 1, 'no second Follow');
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

  it('answers what cannot be followed on the form with a 4xx and what she typed, sending nothing', async () => {
    await registeredClient(server.url, 'carol');
    const ownHost = new URL(server.url).host;
    const cases: [string, number, RegExp][] = [
      ['not a handle', 400, /Type a handle like/],
      [`@nobody@${peer.host}`, 404, /knows nobody called nobody/],
      [`${peer.url}/actors/nobody`, 404, /There is nobody at/],
      ['@bob@127.0.0.1:1', 400, /Could not reach 127\.0\.0\.1:1/],
      ['http://127.0.0.1:1/bob', 400, /Could not reach 127\.0\.0\.1:1/],
      ['http://169.254.169.254/actor', 400, /may not be asked/],
      [`${otherUrl}/page`, 422, /is not an ActivityPub account/],
      [`${otherUrl}/note`, 422, /is not a person/],
      [`@alice@${ownHost}`, 400, /That is you/],
      [`${server.url}/alice`, 400, /That is you/],
      [`@carol@${ownHost}`, 400, /carol is on this site/],
      [`${server.url}/users/nobody`, 404, /nobody at/],
    ];
    const sentBefore = peer.received.length;
    const profilesBefore = (await server.runtime.ctx.db('profiles')).length;
    for (const [handle, status, message] of cases) {
      const page = await alice.get(`/main/follow?handle=${encodeURIComponent(handle)}`);
      assert.equal(page.status, status, `${handle}: ${page.status} ${textOf(page.text).slice(0, 300)}`);
      assert.match(page.text, /role="alert"/);
      assert.match(textOf(page.text), message, handle);
      assert.ok(page.text.includes(`value="${handle.replace(/&/g, '&amp;')}"`), `${handle} is on the form again`);
      const posted = await alice.post('/main/follow', { handle });
      assert.equal(posted.status, status, `posting ${handle}`);
      assert.match(posted.text, /role="alert"/);
    }
    assert.equal((await alice.post('/main/follow', { handle: '' })).status, 400);
    assert.equal((await alice.get('/main/follow?handle=')).status, 200, 'an empty box shows the form');
    assert.equal(peer.received.length, sentBefore, 'nothing was sent');
    assert.equal((await server.runtime.ctx.db('profiles')).length, profilesBefore, 'nobody new was kept');
  });
});
