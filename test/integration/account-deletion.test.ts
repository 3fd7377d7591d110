// Deleting one's own account at /settings/delete: the password is asked for (a wrong one changes
// nothing), then notices, avatar, subscriptions and sessions go; an ActivityPub follower (the
// independent peer) receives Delete of the actor, signed with the account's kept key; the actor id
// answers 410; the nickname cannot be registered again.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { stripedImage } from '../helpers/images.ts';
import { profileId } from '../helpers/moderation.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;
let bob: WebClient;
let aliceId: number;
const db = () => server.runtime.ctx.db;
const avatarFiles = () => readdirSync(path.join(server.dataDir, 'avatars'));

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  peer = await startApPeer();
  alice = await registeredClient(server.url, 'alice');
  bob = await registeredClient(server.url, 'bob');
  aliceId = await profileId(server, 'alice');
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('deleting one’s own account', () => {
  it('sets the scene: notices, an avatar, subscriptions both ways, an ActivityPub follower', async () => {
    assert.equal((await alice.post('/notice/new', { content: 'alice was here #farewell', returnto: '/' })).status, 303);
    await alice.get('/settings/avatar');
    const form = new FormData();
    form.append('avatar', new File([new Uint8Array(await stripedImage('png'))], 'me.png', { type: 'image/png' }));
    assert.equal((await alice.postMultipart('/settings/avatar', form)).status, 303);
    assert.equal(avatarFiles().length, 3);
    await alice.get('/bob');
    assert.equal((await alice.post('/main/subscribe', { subscribeto: 'bob' })).status, 303);
    await bob.get('/alice');
    assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
    await peer.follow('peer', await peer.resolve(`@alice@${new URL(server.url).host}`));
    await waitFor('the Accept at the peer', async () => peer.received.some((a) => a.type === 'Accept'));
  });

  it('shows the form, and refuses a wrong or missing password with 400, deleting nothing', async () => {
    const form = await alice.get('/settings/delete');
    assert.equal(form.status, 200);
    assert.match(form.text, /type="password"/);
    assert.match(textOf(form.text), /cannot be undone/);
    for (const [password, message] of [['not my password', /That is not your password/], ['', /Type your password to confirm/]] as const) {
      const page = await alice.post('/settings/delete', { password });
      assert.equal(page.status, 400);
      assert.match(textOf(page.text), message);
    }
    assert.ok(await db()('users').where({ id: aliceId }).first());
    assert.equal((await new WebClient(server.url).post('/settings/delete', { password: 'correct horse battery' })).status, 403, 'visitors');
    assert.equal((await alice.post('/settings/delete', { password: 'correct horse battery', _csrf: null })).status, 403, 'no CSRF token');
    assert.ok(await db()('users').where({ id: aliceId }).first());
  });

  it('deletes the account, signs her out, and frees nothing of her name', async () => {
    const page = await alice.post('/settings/delete', { password: 'correct horse battery' });
    assert.equal(page.status, 200, textOf(page.text).slice(0, 300));
    assert.match(textOf(page.text), /Your account has been deleted/);
    assert.equal((await alice.get('/settings/password')).status, 303, 'signed out');
    for (const [table, column] of [['profiles', 'id'], ['notices', 'profile_id'], ['subscriptions', 'subscriber_id'], ['subscriptions', 'subscribed_id'], ['sessions', null]] as const) {
      const rows = column ? await db()(table).where(column, aliceId) : await db()(table).whereRaw("(sess->>'userId') = ?", [String(aliceId)]);
      assert.equal(rows.length, 0, `${table}.${column}`);
    }
    assert.deepEqual(avatarFiles(), [], 'the avatar files are removed');
    assert.doesNotMatch((await new WebClient(server.url).get('/')).text, /alice was here/);
    assert.equal((await new WebClient(server.url).get('/alice')).status, 404);
    assert.doesNotMatch(textOf((await bob.get('/bob/subscribers')).text), /alice/);

    const again = new WebClient(server.url);
    await again.get('/main/register');
    const taken = await again.post('/main/register', { nickname: 'alice', password: 'another good password', email: '' });
    assert.equal(taken.status, 409);
    assert.match(textOf(taken.text), /belonged to an account that was deleted/);
  });

  it('tells the ActivityPub follower with Delete of the actor, and the actor answers 410', async () => {
    await waitFor('the Delete at the peer', async () => peer.received.some((a) => a.type === 'Delete'), 20_000);
    const remove = peer.received.find((a) => a.type === 'Delete')!.json;
    assert.equal(remove.actor, `${server.url}/users/alice`);
    assert.equal(remove.object, `${server.url}/users/alice`);
    const signed = peer.requests.filter((r) => r.method === 'POST' && r.keyId === `${server.url}/users/alice#main-key`);
    assert.ok(signed.length >= 2, 'the Accept and the Delete are signed with her key');
    const actor = await fetch(`${server.url}/users/alice`, { headers: { accept: 'application/activity+json' } });
    assert.equal(actor.status, 410);
    assert.equal(((await actor.json()) as { type: string }).type, 'Tombstone');
    const finger = await fetch(`${server.url}/.well-known/webfinger?resource=acct:alice@${new URL(server.url).host}`);
    assert.equal(finger.status, 410);
  });
});
