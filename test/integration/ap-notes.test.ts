// Notices from someone a local user follows on an ActivityPub server: Create(Note) lands in her
// home timeline once however often it arrives, as inert text; Delete withdraws it; Update(Person)
// refreshes the profile; notes from strangers, for others, or off their author's site are ignored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let peer: ApPeer;
let alice: WebClient;
let aliceId: number;
let peerProfileId: number;

const AS = 'https://www.w3.org/ns/activitystreams';

function create(from: string, noteId: string, content: string, attributedTo = from): Record<string, unknown> {
  return {
    '@context': AS,
    id: `${noteId}/activity`,
    type: 'Create',
    actor: from,
    to: [`${AS}#Public`],
    object: { id: noteId, type: 'Note', attributedTo, content, url: `${noteId}.html`, to: [`${AS}#Public`], published: '2026-12-06T12:00:00Z' },
  };
}

async function noticesByUri(uri: string) {
  return server.runtime.ctx.db('notices').where({ uri });
}

async function send(name: string, activity: Record<string, unknown>): Promise<number> {
  const response = await peer.signedPost(name, `${server.url}/inbox`, JSON.stringify(activity));
  return response.status;
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  aliceId = (await server.runtime.ctx.db('profiles').where({ nickname: 'alice', is_local: true }).first()).id;
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
  peerProfileId = (await server.runtime.ctx.db('profiles').where({ uri: peer.actorUri('peer') }).first()).id;
  await waitFor('the subscription', async () => (await server.runtime.ctx.db('subscriptions').where({ subscriber_id: aliceId, subscribed_id: peerProfileId })).length === 1);
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('notes from people followed on ActivityPub servers', () => {
  const noteId = () => `${peer.actorUri('peer')}/notes/1`;

  it('stores a Create(Note) once, as text, in her home timeline', async () => {
    const html = '<p>Hello <a href="https://example.org/x" onclick="steal()">world</a><script>alert(1)</script> &amp; <span class="h-card">@<span>alice</span></span></p>';
    for (let i = 0; i < 5; i++) assert.ok((await send('peer', create(peer.actorUri('peer'), noteId(), html))) < 300);
    const rows = await noticesByUri(noteId());
    assert.equal(rows.length, 1, 'the same activity five times stores one notice');
    assert.equal(rows[0].content, 'Hello world & @alice');
    assert.equal(rows[0].url, `${noteId()}.html`);
    assert.ok(!/script|onclick/.test(rows[0].rendered));
    await waitFor('her home timeline', async () => textOf((await alice.get('/alice/all')).text).includes('Hello world & @alice'));
  });

  it('ignores notes from strangers, notes credited to someone else, and notes off their author\'s site', async () => {
    assert.ok((await send('mallory', create(peer.actorUri('mallory'), `${peer.actorUri('mallory')}/notes/1`, 'from a stranger'))) < 300);
    assert.equal((await noticesByUri(`${peer.actorUri('mallory')}/notes/1`)).length, 0);
    assert.ok((await send('peer', create(peer.actorUri('peer'), `${peer.actorUri('peer')}/notes/2`, 'not mine', peer.actorUri('mallory')))) < 300);
    assert.equal((await noticesByUri(`${peer.actorUri('peer')}/notes/2`)).length, 0);
    const elsewhere = 'https://elsewhere.example/notes/3';
    const status = await send('peer', create(peer.actorUri('peer'), elsewhere, 'claims another site'));
    assert.ok(status < 500, String(status));
    assert.equal((await noticesByUri(elsewhere)).length, 0);
  });

  it('stores an unlisted note (Public in cc) but never a followers-only one, which no public page may show', async () => {
    const followers = `${peer.actorUri('peer')}/followers`;
    const unlisted = create(peer.actorUri('peer'), `${peer.actorUri('peer')}/notes/unlisted`, 'quietly public');
    const unlistedNote = unlisted.object as Record<string, unknown>;
    unlisted.to = unlistedNote.to = [followers];
    unlisted.cc = unlistedNote.cc = [`${AS}#Public`];
    assert.ok((await send('peer', unlisted)) < 300);
    assert.equal((await noticesByUri(`${peer.actorUri('peer')}/notes/unlisted`)).length, 1);
    const privateOne = create(peer.actorUri('peer'), `${peer.actorUri('peer')}/notes/followers-only`, 'only for my followers');
    const privateNote = privateOne.object as Record<string, unknown>;
    privateOne.to = privateNote.to = [followers];
    privateOne.cc = privateNote.cc = [`${server.url}/users/alice`];
    assert.equal(await send('peer', privateOne), 202);
    assert.equal((await noticesByUri(`${peer.actorUri('peer')}/notes/followers-only`)).length, 0);
    assert.equal(await server.runtime.ctx.db('messages').count({ n: '*' }).first().then((row) => Number(row?.n)), 0, 'nor a direct message');
    assert.ok(!textOf((await alice.get('/alice/all')).text).includes('only for my followers'));
    assert.ok(!textOf((await alice.get('/')).text).includes('only for my followers'));
  });

  it('withdraws a note on its author\'s Delete, and only on theirs', async () => {
    const tombstone = (from: string) => ({ '@context': AS, id: `${from}#delete-${Math.random()}`, type: 'Delete', actor: from, object: { id: noteId(), type: 'Tombstone' } });
    assert.ok((await send('mallory', tombstone(peer.actorUri('mallory')))) < 500);
    assert.equal((await noticesByUri(noteId())).length, 1, 'someone else cannot delete it');
    assert.ok((await send('peer', tombstone(peer.actorUri('peer')))) < 300);
    assert.equal((await noticesByUri(noteId())).length, 0);
    assert.ok(!textOf((await alice.get('/alice/all')).text).includes('Hello world'));
  });

  it('refreshes the profile on Update(Person)', async () => {
    peer.names.set('peer', 'Peer the Renamed');
    const update = { '@context': AS, id: `${peer.actorUri('peer')}#update-1`, type: 'Update', actor: peer.actorUri('peer'), object: { id: peer.actorUri('peer'), type: 'Person', name: 'whatever the activity says' } };
    assert.ok((await send('peer', update)) < 300);
    const profile = await server.runtime.ctx.db('profiles').where({ id: peerProfileId }).first();
    assert.equal(profile.fullname, 'Peer the Renamed', 'taken from the actor as its server serves it');
    assert.equal(profile.uri, peer.actorUri('peer'));
  });
});
