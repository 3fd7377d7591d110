// ActivityPub discovery, as other servers see it: WebFinger, the actor (at its id and by content
// negotiation on the profile URL), NodeInfo, host-meta, and the outbox/followers/following collections.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const AS = 'application/activity+json';
const LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

let server: TestServer;
let alice: WebClient;

async function getJson(path: string, accept = AS): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(new URL(path, server.url), { headers: { accept }, redirect: 'manual' });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, type: response.headers.get('content-type'), body };
}

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
  await alice.get('/settings/profile');
  await alice.post('/settings/profile', { fullname: 'Alice Liddell', bio: 'Curious <b>& curiouser</b>', location: '', homepage: '' });
  for (let i = 0; i < 3; i++) await alice.post('/notice/new', { content: `notice number ${i} #tea`, returnto: '/' });
  const bob = await registeredClient(server.url, 'bob');
  assert.equal((await bob.post('/main/subscribe', { subscribeto: 'alice' })).status, 303);
});
after(() => server.stop());

describe('ActivityPub discovery', () => {
  it('answers WebFinger for acct:alice@host and for her profile URL', async () => {
    const host = new URL(server.url).host;
    for (const resource of [`acct:alice@${host}`, `${server.url}/alice`, `acct:Alice@${host}`]) {
      const { status, type, body } = await getJson(`/.well-known/webfinger?resource=${encodeURIComponent(resource)}`, 'application/jrd+json');
      assert.equal(status, 200, resource);
      assert.match(type ?? '', /application\/jrd\+json/);
      assert.equal(body.subject, resource);
      const self = body.links.find((link: { rel: string }) => link.rel === 'self');
      assert.equal(self.href, `${server.url}/users/alice`);
      assert.equal(self.type, AS);
    }
    assert.equal((await getJson(`/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${host}`)}`)).status, 404);
    assert.equal((await getJson(`/.well-known/webfinger?resource=${encodeURIComponent(`acct:alice@elsewhere.example`)}`)).status, 404);
  });

  it('serves her actor at a stable id and by content negotiation on /alice', async () => {
    const byId = await getJson('/users/alice');
    assert.equal(byId.status, 200);
    assert.match(byId.type ?? '', /application\/activity\+json/);
    for (const accept of [AS, LD]) {
      const negotiated = await getJson('/alice', accept);
      assert.equal(negotiated.status, 200, accept);
      assert.deepEqual(negotiated.body, byId.body);
    }
    const actor = byId.body;
    assert.equal(actor.id, `${server.url}/users/alice`);
    assert.equal(actor.type, 'Person');
    assert.equal(actor.preferredUsername, 'alice');
    assert.equal(actor.name, 'Alice Liddell');
    assert.equal(actor.summary, '<p>Curious &#60;b&#62;&#38; curiouser&#60;/b&#62;</p>');
    assert.equal(actor.url, `${server.url}/alice`);
    assert.equal(actor.inbox, `${server.url}/users/alice/inbox`);
    assert.equal(actor.outbox, `${server.url}/users/alice/outbox`);
    assert.equal(actor.followers, `${server.url}/users/alice/followers`);
    assert.equal(actor.following, `${server.url}/users/alice/following`);
    assert.equal(actor.endpoints.sharedInbox, `${server.url}/inbox`);
    assert.equal(actor.publicKey.id, `${server.url}/users/alice#main-key`);
    assert.equal(actor.publicKey.owner, actor.id);
    assert.match(actor.publicKey.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    assert.ok(Array.isArray(actor.assertionMethod) && actor.assertionMethod.length >= 1);
    // The keys are made once and kept.
    const rows = await server.runtime.ctx.db('ap_key_pairs').where({ owner: `user:${(await server.runtime.ctx.db('profiles').where({ nickname: 'alice' }).first()).id}` });
    assert.deepEqual(rows.map((row) => row.algorithm).sort(), ['ed25519', 'rsa']);
    assert.equal((await getJson('/users/alice')).body.publicKey.publicKeyPem, actor.publicKey.publicKeyPem);
  });

  it('still serves pages to browsers, and sends them from the actor id to the profile page', async () => {
    const page = await fetch(`${server.url}/alice`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const fromId = await fetch(`${server.url}/users/alice`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    assert.equal(fromId.status, 302);
    assert.equal(fromId.headers.get('location'), '/alice');
    assert.equal((await getJson('/users/nobody')).status, 404);
    assert.equal((await getJson('/nobody')).status, 404);
  });

  it('serves the site actor for signed fetches', async () => {
    const { status, body } = await getJson('/users/ostrakon');
    assert.equal(status, 200);
    assert.equal(body.type, 'Application');
    assert.equal(body.publicKey.id, `${server.url}/users/ostrakon#main-key`);
  });

  it('serves NodeInfo 2.1 and its well-known link', async () => {
    const link = await getJson('/.well-known/nodeinfo', 'application/json');
    assert.equal(link.status, 200);
    const href = link.body.links.find((l: { rel: string }) => l.rel === 'http://nodeinfo.diaspora.software/ns/schema/2.1').href;
    assert.equal(href, `${server.url}/nodeinfo/2.1`);
    const info = await getJson('/nodeinfo/2.1', 'application/json');
    assert.equal(info.status, 200);
    assert.equal(info.body.version, '2.1');
    assert.equal(info.body.software.name, 'ostrakon');
    assert.equal(info.body.software.version, '0.1.0');
    assert.deepEqual(info.body.protocols, ['activitypub']);
    assert.equal(info.body.usage.users.total, 2);
    assert.equal(info.body.usage.localPosts, 3);
    assert.equal(info.body.openRegistrations, true);
  });

  it('serves host-meta with the WebFinger template', async () => {
    const response = await fetch(`${server.url}/.well-known/host-meta`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/xrd\+xml/);
    const text = await response.text();
    assert.ok(text.includes(`template="${server.url}/.well-known/webfinger?resource={uri}"`), text);
  });

  it('serves her outbox, followers and following with sizes and paged items', async () => {
    const outbox = await getJson('/users/alice/outbox');
    assert.equal(outbox.status, 200);
    assert.equal(outbox.body.type, 'OrderedCollection');
    assert.equal(outbox.body.totalItems, 3);
    const first = await getJson(outbox.body.first.replace(server.url, ''));
    assert.equal(first.status, 200);
    assert.equal(first.body.orderedItems.length, 3);
    const create = first.body.orderedItems[0];
    assert.equal(create.type, 'Create');
    assert.equal(create.object.type, 'Note');
    assert.match(create.object.content, /notice number 2/);
    assert.match(create.object.id, new RegExp(`^${server.url}/notice/\\d+$`));
    assert.equal(create.object.attributedTo, `${server.url}/users/alice`);

    // The Note's id is the notice's permalink: JSON for servers, the page for browsers.
    const notePath = create.object.id.replace(server.url, '');
    const note = await getJson(notePath);
    assert.equal(note.status, 200);
    assert.deepEqual(note.body.id, create.object.id);
    assert.equal(note.body.content, create.object.content);
    const html = await fetch(`${server.url}${notePath}`, { headers: { accept: 'text/html' } });
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await getJson('/notice/999999')).status, 404);

    const followers = await getJson('/users/alice/followers');
    assert.equal(followers.body.totalItems, 1);
    const page = await getJson(followers.body.first.replace(server.url, ''));
    assert.deepEqual(page.body.orderedItems, [`${server.url}/users/bob`]);
    const following = await getJson('/users/bob/following');
    assert.equal(following.body.totalItems, 1);
    assert.deepEqual((await getJson(following.body.first.replace(server.url, ''))).body.orderedItems, [`${server.url}/users/alice`]);

    for (const path of ['/users/nobody/outbox', '/users/nobody/followers', '/users/alice/outbox?cursor=abc', '/users/alice/followers?cursor=-1']) {
      assert.equal((await getJson(path)).status, 404, path);
    }
  });
});

describe('ActivityPub ids under an https PUBLIC_URL', () => {
  let tls: TestServer;
  before(async () => {
    tls = await startTestServer({ env: { PUBLIC_URL: 'https://social.example' } });
    await registeredClient(tls.url, 'carol').catch(() => undefined); // the session cookie is Secure: registration may not stick
  });
  after(() => tls.stop());

  it('builds every id from PUBLIC_URL, whatever Host the request came with', async () => {
    const response = await fetch(`${tls.url}/.well-known/webfinger?resource=${encodeURIComponent('acct:carol@social.example')}`, { headers: { accept: 'application/jrd+json' } });
    if (response.status === 200) {
      const body = (await response.json()) as { links: { rel: string; href: string }[] };
      assert.equal(body.links.find((l) => l.rel === 'self')!.href, 'https://social.example/users/carol');
    }
    const site = await fetch(`${tls.url}/users/ostrakon`, { headers: { accept: AS } });
    assert.equal(site.status, 200);
    const actor = (await site.json()) as { id: string; inbox: string; publicKey: { id: string } };
    assert.equal(actor.id, 'https://social.example/users/ostrakon');
    assert.equal(actor.inbox, 'https://social.example/users/ostrakon/inbox');
    assert.equal(actor.publicKey.id, 'https://social.example/users/ostrakon#main-key');
  });
});
