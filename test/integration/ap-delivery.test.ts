// Alice's notices and profile changes reach her ActivityPub followers (an independent Fedify peer):
// Create(Note) with the notice's HTML, permalink, addressing and inReplyTo; Update(Person) after a
// profile change; one delivery per server however many of its people follow her.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requeueDeadDeliveries } from '../../src/federation/dead-letters.ts';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;

const PUBLIC = 'as:Public';

function ofType(type: string) {
  return peer.received.filter((activity) => activity.type === type);
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  peer = await startApPeer();
  const actor = await peer.resolve(`@alice@${new URL(server.url).host}`);
  await peer.follow('peer', actor);
  await peer.follow('mallory', actor);
  await waitFor('two Accepts', async () => ofType('Accept').length === 2);
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('delivering to ActivityPub followers', () => {
  it('binds each follower to its actor id, never to a profile page on another site', async () => {
    const mallory = await server.runtime.ctx.db('profiles').where({ uri: peer.actorUri('mallory') }).first();
    assert.equal(mallory.profile_url, peer.actorUri('mallory'));
  });

  it('sends a new notice once per server as Create(Note)', async () => {
    await alice.post('/notice/new', { content: 'Tea at https://example.org/tea?a=1&b=2 #party', returnto: '/' });
    await waitFor('the Create', async () => ofType('Create').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a second delivery would have arrived by now
    assert.equal(ofType('Create').length, 1, 'both followers share one inbox: one delivery');
    const create = ofType('Create')[0]!.json;
    const note = create.object as Record<string, unknown>;
    assert.equal(create.actor, `${server.url}/users/alice`);
    assert.equal(note.type, 'Note');
    assert.match(String(note.id), new RegExp(`^${server.url}/notice/\\d+$`));
    assert.equal(note.url, note.id);
    assert.equal(note.attributedTo, `${server.url}/users/alice`);
    assert.match(String(note.content), /<a href="https:\/\/example.org\/tea\?a=1&#38;b=2"/);
    assert.deepEqual(note.tag, { type: 'Hashtag', href: `${server.url}/tag/party`, name: '#party' });
    assert.ok([note.to].flat().some((to) => to === PUBLIC || to === 'https://www.w3.org/ns/activitystreams#Public'), JSON.stringify(note.to));
    assert.equal(note.cc, `${server.url}/users/alice/followers`);
  });

  it('threads a reply with inReplyTo', async () => {
    const rootId = /notice\/(\d+)$/.exec(String((ofType('Create')[0]!.json.object as { id: string }).id))![1];
    await alice.post('/notice/new', { content: 'and scones', inreplyto: rootId!, returnto: '/' });
    await waitFor('the reply', async () => ofType('Create').length === 2);
    const reply = ofType('Create')[1]!.json.object as Record<string, unknown>;
    assert.equal(reply.inReplyTo, `${server.url}/notice/${rootId}`);
  });

  it('withdraws a deleted notice with Delete(Tombstone)', async () => {
    const replyId = String((ofType('Create')[1]!.json.object as { id: string }).id);
    const id = replyId.slice(replyId.lastIndexOf('/') + 1);
    assert.equal((await alice.get(`/notice/delete/${id}`)).status, 200);
    const deleted = await alice.post(`/notice/delete/${id}`, {});
    assert.ok(deleted.status === 303 || deleted.status === 302, `delete answered ${deleted.status}`);
    await waitFor('the Delete', async () => ofType('Delete').length === 1);
    const remove = ofType('Delete')[0]!.json;
    assert.equal(remove.actor, `${server.url}/users/alice`);
    assert.deepEqual(remove.object, { id: replyId, type: 'Tombstone' });
  });

  it('keeps a delivery refused for good as a dead delivery, which an admin can requeue', async () => {
    const actor = await peer.resolve(`@alice@${new URL(server.url).host}`);
    await peer.follow('ghost', actor);
    await waitFor('the dead Accept to ghost', async () => (await server.runtime.ctx.db('dead_deliveries').where({ job_name: 'ap.deliver', target: `${peer.url}/nowhere` })).length === 1);
    const dead = await server.runtime.ctx.db('dead_deliveries').where({ target: `${peer.url}/nowhere` }).first();
    assert.match(dead.last_error, /answered 404/);
    assert.equal(dead.data.activity.type, 'Accept');
    // Requeued, it is tried again (and, still refused, kept again).
    assert.ok((await requeueDeadDeliveries(server.runtime.ctx)) >= 1);
    assert.equal((await server.runtime.ctx.db('dead_deliveries').where({ target: `${peer.url}/nowhere` })).length, 0);
    await waitFor('tried again', async () => (await server.runtime.ctx.db('dead_deliveries').where({ target: `${peer.url}/nowhere` })).length === 1);
  });

  it('sends a profile change as Update(Person)', async () => {
    await alice.get('/settings/profile');
    await alice.post('/settings/profile', { fullname: 'Alice Pleasance', bio: 'now with a bio', location: '', homepage: '' });
    await waitFor('the Update', async () => ofType('Update').length === 1);
    const person = ofType('Update')[0]!.json.object as Record<string, unknown>;
    assert.equal(person.id, `${server.url}/users/alice`);
    assert.equal(person.name, 'Alice Pleasance');
    assert.equal(person.summary, '<p>now with a bio</p>');
  });
});
