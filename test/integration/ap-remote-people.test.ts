// People on ActivityPub servers, once they have been in touch (followed from here, or following
// someone here), have a page of their own at /remote/:id with the notices that reached us, and
// are found by people search; people never in touch are not.
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

const AS = 'https://www.w3.org/ns/activitystreams';

async function profileIdOf(actor: string): Promise<number | undefined> {
  return (await server.runtime.ctx.db('profiles').where({ uri: actor }).first())?.id;
}

async function searchPeople(client: WebClient, q: string): Promise<string> {
  const page = await client.get(`/search/people?q=${encodeURIComponent(q)}`);
  assert.equal(page.status, 200);
  return page.text;
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  peer.names.set('peer', 'Perpetua Peer');
  peer.names.set('mallory', 'Mallory Distant');
  peer.names.set('ghost', 'Gustav Ghost');
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('people on ActivityPub servers, here', () => {
  it('are not found before they have been in touch', async () => {
    for (const name of ['Perpetua', 'Mallory', 'Gustav']) assert.match(await searchPeople(alice, name), /Nobody matches/);
  });

  it('have a page with their notices once followed from here', async () => {
    await alice.get(`/main/follow?handle=${encodeURIComponent(`@peer@${peer.host}`)}`);
    const followed = await alice.post('/main/follow', { handle: peer.actorUri('peer'), protocol: 'activitypub' });
    assert.equal(followed.status, 303);
    const id = await profileIdOf(peer.actorUri('peer'));
    await waitFor('the subscription', async () => (await server.runtime.ctx.db('subscriptions').where({ subscribed_id: id! })).length === 1);
    const note = { id: `${peer.actorUri('peer')}/notes/7`, type: 'Note', attributedTo: peer.actorUri('peer'), content: '<p>Greetings from <b>afar</b></p>', to: [`${AS}#Public`] };
    const create = { '@context': AS, id: `${note.id}/activity`, type: 'Create', actor: peer.actorUri('peer'), object: note };
    assert.ok((await peer.signedPost('peer', `${server.url}/inbox`, JSON.stringify(create))).status < 300);

    for (const viewer of [alice, new WebClient(server.url)]) {
      const page = await viewer.get(`/remote/${id}`);
      assert.equal(page.status, 200);
      const text = textOf(page.text);
      assert.ok(text.includes(`Perpetua Peer (peer@${peer.host})`), text.slice(0, 400));
      assert.ok(text.includes('I live elsewhere'), 'the bio, as text');
      assert.ok(text.includes('Greetings from afar'), 'the notice that reached us');
      assert.ok(page.text.includes(`href="${peer.url}/@peer"`), 'a link to their own page');
    }
    assert.match((await alice.get(`/remote/${id}`)).text, /Unsubscribe/);
  });

  it('are found by people search once followed from here, or following someone here', async () => {
    await peer.follow('mallory', await peer.resolve(`@alice@${new URL(server.url).host}`));
    await waitFor('mallory known', async () => (await profileIdOf(peer.actorUri('mallory'))) !== undefined);
    for (const viewer of [alice, new WebClient(server.url)]) {
      const perpetua = await searchPeople(viewer, 'Perpetua');
      assert.ok(perpetua.includes(`href="/remote/${await profileIdOf(peer.actorUri('peer'))}"`), textOf(perpetua).slice(0, 500));
      assert.ok(textOf(perpetua).includes(`peer@${peer.host}`));
      const mallory = await searchPeople(viewer, 'mallory');
      assert.ok(mallory.includes(`href="/remote/${await profileIdOf(peer.actorUri('mallory'))}"`));
    }
    assert.match(await searchPeople(alice, 'Gustav'), /Nobody matches/, 'never in touch, never kept');
    // mallory follows alice, but alice does not follow her: her page offers the box's lookup.
    const page = await alice.get(`/remote/${await profileIdOf(peer.actorUri('mallory'))}`);
    assert.match(page.text, /href="\/main\/follow\?handle=%40mallory%40/);
  });

  it('offers the box on people search, filled in for a handle', async () => {
    const page = await searchPeople(alice, `@someone@${peer.host}`);
    assert.ok(page.includes(`<input id="remote-handle" name="handle" value="@someone@${peer.host}"`), 'the handle is in the box');
    assert.match(await searchPeople(alice, 'Perpetua'), /<input id="remote-handle" name="handle" value=""/);
    assert.doesNotMatch(await searchPeople(new WebClient(server.url), 'Perpetua'), /remote-handle/, 'not for visitors');
    const notices = await alice.get(`/search/notice?q=${encodeURIComponent(`${peer.url}/@peer`)}`);
    assert.ok(notices.text.includes(`value="${peer.url}/@peer"`), 'a notice search for an address offers it too');
  });
});
