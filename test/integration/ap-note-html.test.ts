// HTML of notes from ActivityPub servers, as Mastodon and GoToSocial shape them (fixtures under
// test/fixtures/activitypub), delivered signed by the independent peer: stored cut down to the
// allow-list (p, br, http(s) links with rel="nofollow noopener ugc", mention/hashtag spans) with a
// plain-text copy and the content warning as text; attachments, quotes and polls are ignored without error.
// Update(Note) from the author edits the stored notice; from anyone else it changes nothing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

const AS = 'https://www.w3.org/ns/activitystreams';

// A fixture with its placeholders filled in for this run's servers.
async function fixture(name: string): Promise<Record<string, unknown>> {
  const text = await readFile(new URL(`../fixtures/activitypub/${name}`, import.meta.url), 'utf8');
  const alicehost = new URL(server.url).host;
  return JSON.parse(text.replaceAll('{{actor}}', peer.actorUri('peer')).replaceAll('{{alice}}', `${server.url}/alice`).replaceAll('{{alicehost}}', alicehost)) as Record<string, unknown>;
}

function activity(type: string, from: string, object: Record<string, unknown>, suffix = type): Record<string, unknown> {
  return { '@context': object['@context'] ?? AS, id: `${String(object.id)}#${suffix}`, type, actor: from, to: [`${AS}#Public`], object: { ...object, '@context': undefined } };
}

async function send(name: string, body: Record<string, unknown>): Promise<number> {
  return (await peer.signedPost(name, `${server.url}/inbox`, JSON.stringify(body))).status;
}

async function noticeByUri(uri: unknown) {
  return server.runtime.ctx.db('notices').where({ uri: String(uri) }).first();
}

// No script, style, event handler, javascript: or other scheme, and no attribute but the allowed ones.
function assertInert(html: string): void {
  assert.ok(!/<(script|style|img)|alert|onmouseover|onerror|javascript:|ftp:|target=|translate=|style=/i.test(html), html);
  for (const [, tag] of html.matchAll(/<\/?([a-z0-9]+)/gi)) assert.ok(['p', 'br', 'a', 'span'].includes(tag!.toLowerCase()), `tag ${tag} in ${html}`);
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) assert.match(href!, /^https?:\/\//);
  for (const link of html.match(/<a [^>]*>/g) ?? []) assert.match(link, /rel="nofollow noopener ugc"/);
}

before(async () => {
  server = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(server.url, 'alice');
  const aliceId = (await server.runtime.ctx.db('profiles').where({ nickname: 'alice', is_local: true }).first()).id;
  peer = await startApPeer();
  // mallory is followed too, so that her activities are listened to and only the edit rule stops her.
  for (const name of ['peer', 'mallory']) {
    peer.answers.set(name, 'accept');
    await alice.post('/main/follow', { handle: `@${name}@${peer.host}` });
    const id = (await server.runtime.ctx.db('profiles').where({ uri: peer.actorUri(name) }).first()).id;
    await waitFor(`the subscription to ${name}`, async () => (await server.runtime.ctx.db('subscriptions').where({ subscriber_id: aliceId, subscribed_id: id })).length === 1);
  }
});
after(async () => {
  await peer?.stop();
  await server?.stop();
});

describe('HTML of notes from ActivityPub servers', () => {
  it('stores a Mastodon note sanitized, with its text and content warning, ignoring attachments and quote', async () => {
    const note = await fixture('mastodon-note.json');
    assert.equal(await send('peer', activity('Create', peer.actorUri('peer'), note)), 202);
    const row = await noticeByUri(note.id);
    assert.ok(row, 'stored');
    assertInert(row.rendered);
    assert.match(row.rendered, /<span class="h-card"><a href="[^"]+\/alice" rel="nofollow noopener ugc">@<span>alice<\/span><\/a><\/span>/);
    assert.match(row.rendered, /<a href="https:\/\/example.org\/menu" rel="nofollow noopener ugc">/);
    assert.match(row.rendered, /<br \/>/);
    assert.equal(row.content, '@alice lunch at https://example.org/menu #soup\n\nsee this\nand that');
    assert.equal(row.url, `${String(note.id)}.html`);
    assert.equal(row.summary, 'food talk');
    await waitFor('her home timeline', async () => textOf((await alice.get('/alice/all')).text).includes('lunch at'));
    const page = (await alice.get('/alice/all')).text;
    assert.ok(page.includes('<a href="https://example.org/menu" rel="nofollow noopener ugc">'), 'the sanitized HTML is what the page shows');
    assert.ok(!/javascript:|onmouseover|alert\(/.test(page));
  });

  it('stores a GoToSocial note sanitized, ignoring poll fields and links of other schemes', async () => {
    const note = await fixture('gotosocial-note.json');
    assert.equal(await send('peer', activity('Create', peer.actorUri('peer'), note)), 202);
    const row = await noticeByUri(note.id);
    assert.ok(row, 'stored');
    assertInert(row.rendered);
    assert.match(row.rendered, /<a href="[^"]+\/tags\/soup" rel="nofollow noopener ugc">#<span>soup<\/span><\/a>/);
    assert.match(row.rendered, /<p>vote <span>here<\/span> or <span>there<\/span><\/p>/);
    assert.equal(row.content, 'Which soup? #soup\n\nvote here or there');
  });

  it('edits a note on its author\'s Update(Note), re-sanitized, and ignores anyone else\'s', async () => {
    const note = await fixture('mastodon-note.json');
    const edited = { ...note, content: '<p>edited <script>alert(9)</script><a href="javascript:x()" onclick="y()">soup</a></p>', updated: '2026-12-06T13:00:00Z' };
    const before = await noticeByUri(note.id);
    assert.deepEqual(await server.runtime.ctx.db('notice_tags').where({ notice_id: before.id }).pluck('tag'), ['soup']);
    const forged = { ...note, content: '<p>forged by mallory</p>' };
    assert.ok((await send('mallory', activity('Update', peer.actorUri('mallory'), { ...forged, attributedTo: peer.actorUri('mallory') }, 'update-m'))) < 300);
    assert.ok((await send('mallory', activity('Update', peer.actorUri('mallory'), forged, 'update-m2'))) < 300);
    assert.match((await noticeByUri(note.id)).content, /lunch at/, 'someone else cannot edit it');
    assert.equal(await send('peer', activity('Update', peer.actorUri('peer'), edited, 'update-1')), 202);
    const row = await noticeByUri(note.id);
    assert.equal(row.content, 'edited soup');
    assert.equal(row.rendered, '<p>edited <span>soup</span></p>');
    const count = await server.runtime.ctx.db('notices').where({ uri: String(note.id) }).count({ n: '*' }).first();
    assert.equal(Number(count!.n), 1, 'an edit stores no second notice');
    assert.deepEqual(await server.runtime.ctx.db('notice_tags').where({ notice_id: row.id }).pluck('tag'), [], 'its hashtags are those of the new text');
  });
});
