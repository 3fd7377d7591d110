// ActivityPub inboxes against an independent Fedify peer on loopback: it resolves @alice@host,
// follows her and receives the Accept, then unfollows. Every inbox check (signature, digest, date,
// key owner, size) refuses bad requests with a 4xx and stores nothing; odd input never gives a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '@fedify/fedify/vocab';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let aliceId: number;

async function counts(): Promise<{ subscriptions: number; profiles: number; actors: number }> {
  const row = (
    await server.runtime.ctx.db.raw(
      `SELECT (SELECT count(*) FROM subscriptions)::int AS subscriptions, (SELECT count(*) FROM profiles)::int AS profiles, (SELECT count(*) FROM ap_actors)::int AS actors`,
    )
  ).rows[0];
  return row;
}

function followJson(from: string, id = `${from}#follows/${Math.random()}`): Record<string, unknown> {
  return { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Follow', actor: from, object: `${server.url}/users/alice` };
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  await registeredClient(server.url, 'alice');
  aliceId = (await server.runtime.ctx.db('profiles').where({ nickname: 'alice', is_local: true }).first()).id;
  peer = await startApPeer();
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('following a local user from an ActivityPub server', () => {
  let alice: Actor;
  let followId: string;

  it('resolves @alice@host and follows her; the Accept comes back and she lists the follower', async () => {
    alice = await peer.resolve(`@alice@${new URL(server.url).host}`);
    assert.equal(alice.id?.href, `${server.url}/users/alice`);
    followId = await peer.follow('peer', alice);
    await waitFor('the subscription', async () => (await server.runtime.ctx.db('subscriptions').where({ subscribed_id: aliceId })).length === 1);
    await waitFor('the Accept at the peer', async () => peer.received.some((a) => a.type === 'Accept'));
    const accept = peer.received.find((a) => a.type === 'Accept')!.json;
    assert.equal(accept.actor, `${server.url}/users/alice`);
    assert.equal((accept.object as { id: string }).id, followId);

    const actorRow = await server.runtime.ctx.db('ap_actors').where({ actor_id: peer.actorUri('peer') }).first();
    assert.equal(actorRow.inbox_url, `${peer.actorUri('peer')}/inbox`);
    assert.equal(actorRow.shared_inbox_url, `${peer.url}/inbox`);
    const profile = await server.runtime.ctx.db('profiles').where({ id: actorRow.profile_id }).first();
    assert.equal(profile.nickname, 'peer');
    assert.equal(profile.is_local, false);
    assert.equal(profile.profile_url, `${peer.url}/@peer`);
    assert.ok(!/[<>]/.test(profile.bio), `bio stored as text: ${profile.bio}`);

    // Ostrakon fetched the follower's actor with a signed GET (authorized fetch): as the inbox's owner or the site actor.
    const actorFetches = peer.requests.filter((r) => r.method === 'GET' && r.path === '/actors/peer');
    assert.ok(actorFetches.length >= 1);
    for (const fetched of actorFetches) assert.match(fetched.keyId ?? '', new RegExp(`^${server.url}/users/(alice|ostrakon)#main-key$`));

    const page = await fetch(`${server.url}/alice/subscribers`);
    assert.ok(textOf(await page.text()).includes(`peer@${peer.host}`), 'the remote handle is listed');
    const followers = (await (await fetch(`${server.url}/users/alice/followers?cursor=`, { headers: { accept: 'application/activity+json' } })).json()) as { orderedItems: string[] };
    assert.deepEqual(followers.orderedItems, [peer.actorUri('peer')]);
  });

  it('handles the same Follow delivered again without a second subscription', async () => {
    const response = await peer.signedPost('peer', `${server.url}/users/alice/inbox`, JSON.stringify(followJson(peer.actorUri('peer'), followId)));
    assert.ok(response.status === 202 || response.status === 200, String(response.status));
    assert.equal((await server.runtime.ctx.db('subscriptions').where({ subscribed_id: aliceId })).length, 1);
  });

  it('removes the follower on Undo(Follow)', async () => {
    await peer.unfollow('peer', alice, followId);
    await waitFor('the subscription to end', async () => (await server.runtime.ctx.db('subscriptions').where({ subscribed_id: aliceId })).length === 0);
  });
});

describe('inbox input that is not to be trusted', () => {
  const inbox = () => `${server.url}/users/alice/inbox`;

  async function refused(send: () => Promise<Response>, statuses: number[]): Promise<void> {
    const before = await counts();
    const response = await send();
    assert.ok(statuses.includes(response.status), `answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    assert.deepEqual(await counts(), before, 'nothing stored');
  }

  it('refuses an unsigned POST', async () => {
    await refused(() => fetch(inbox(), { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(followJson(peer.actorUri('peer'))) }), [401]);
  });

  it('refuses a bad signature', async () => {
    await refused(() => peer.signedPost('peer', inbox(), JSON.stringify(followJson(peer.actorUri('peer'))), { tamperSignature: true }), [401]);
  });

  it('refuses an activity whose actor does not own the signing key', async () => {
    await refused(() => peer.signedPost('peer', inbox(), JSON.stringify(followJson(peer.actorUri('mallory')))), [401, 403]);
  });

  it('refuses a stale Date', async () => {
    await refused(() => peer.signedPost('peer', inbox(), JSON.stringify(followJson(peer.actorUri('peer'))), { date: new Date(Date.now() - 2 * 3600_000) }), [401]);
  });

  it('refuses a body that does not match its digest', async () => {
    const signedFor = JSON.stringify(followJson(peer.actorUri('peer')));
    const sent = JSON.stringify({ ...followJson(peer.actorUri('peer')), object: `${server.url}/users/bob` });
    await refused(() => peer.signedPost('peer', inbox(), signedFor, { sendBody: sent }), [401]);
  });

  it('refuses a body over 1 MB before reading it all', async () => {
    const big = JSON.stringify({ ...followJson(peer.actorUri('peer')), name: 'x'.repeat(1024 * 1024 + 10) });
    await refused(() => peer.signedPost('peer', inbox(), big), [413]);
    await refused(() => fetch(`${server.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: big }), [413]);
  });

  it('answers unknown activity types with 202 and ignores them', async () => {
    const arrive = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('peer')}#arrive`, type: 'Arrive', actor: peer.actorUri('peer'), location: 'here' };
    await refused(() => peer.signedPost('peer', `${server.url}/inbox`, JSON.stringify(arrive)), [202]);
  });

  it('never answers 500 to malformed JSON, wrong types or huge strings', async () => {
    const bodies = [
      '{"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow", ',
      '[1, 2, 3]',
      JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('peer')}#x1`, type: 'Follow', actor: 42, object: { nested: [true] } }),
      JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('peer')}#x2`, type: ['Follow', 7], actor: peer.actorUri('peer'), object: null }),
      JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('peer')}#x3`, type: 'Follow', actor: peer.actorUri('peer'), object: `${server.url}/users/${'a'.repeat(500_000)}` }),
      JSON.stringify({ '@context': 'https://example.invalid/context', id: `${peer.actorUri('peer')}#x4`, type: 'Follow', actor: peer.actorUri('peer') }),
      JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${peer.actorUri('peer')}#x5`, type: 'Undo', actor: peer.actorUri('peer'), object: 'http://169.254.169.254/nothing' }),
    ];
    for (const body of bodies) {
      const before = await counts();
      const response = await peer.signedPost('peer', inbox(), body);
      assert.ok(response.status < 500, `${body.slice(0, 80)} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      assert.deepEqual(await counts(), before, `nothing stored for ${body.slice(0, 80)}`);
    }
  });
});
