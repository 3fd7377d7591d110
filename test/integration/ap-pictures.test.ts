// Pictures over ActivityPub, both ways. Between two Ostrakons: bob's pictures on B reach alice on A
// as attachment Documents, and A shows them from its own copies. With the independent Fedify peer:
// alice's Create(Note) carries Documents it reads; the peer's pictures are copied through the
// outbound client (a failing server retried, a non-image given up and shown as a link, other kinds
// of attachment left out), and the notice is kept whatever happens to its pictures; an Update(Note)
// makes its pictures those it lists now.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { PICTURES_PRUNE_JOB } from '../../src/domain/jobs.ts';
import { pictureJobHandlers } from '../../src/domain/picture-uploads.ts';
import { startApPeer } from '../helpers/ap-peer.ts';
import type { ApPeer } from '../helpers/ap-peer.ts';
import { filePart, stripedImage } from '../helpers/images.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

const AS = 'https://www.w3.org/ns/activitystreams';

let a: TestServer;
let b: TestServer;
let peer: ApPeer;
let alice: WebClient;
let bob: WebClient;

// A server of picture files for the peer's notes, counting requests per path.
let images: http.Server;
let imagesUrl: string;
const hits = new Map<string, number>();
const files = new Map<string, { type: string; body: Buffer }>();
let flakyFailures = 2; // /flaky.jpg answers 503 this many times first

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV })]);
  [alice, bob] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(b.url, 'bob')]);
  peer = await startApPeer();
  peer.answers.set('peer', 'accept');
  images = http.createServer((req, res) => {
    const name = req.url ?? '';
    hits.set(name, (hits.get(name) ?? 0) + 1);
    if (name === '/flaky.jpg' && flakyFailures-- > 0) return void res.writeHead(503).end('busy');
    const file = files.get(name);
    if (!file) return void res.writeHead(404).end('no such file');
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  files.set('/cat.png', { type: 'image/png', body: await stripedImage('png', 640, 480) });
  files.set('/flaky.jpg', { type: 'image/jpeg', body: await stripedImage('jpeg', 300, 200) });
  files.set('/page.png', { type: 'image/png', body: Buffer.from('<html>not a picture</html>') });
  for (let i = 0; i < 6; i++) files.set(`/many-${i}.png`, { type: 'image/png', body: await stripedImage('png', 30 + i, 30) });
});
after(async () => {
  images?.closeAllConnections();
  await new Promise<void>((resolve) => (images ? images.close(() => resolve()) : resolve()));
  await peer?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

async function postPictures(client: WebClient, content: string, pictures: { file: File; alt: string }[]) {
  await client.get('/notice/new');
  const form = new FormData();
  form.append('content', content);
  form.append('returnto', '/');
  pictures.forEach((p, i) => {
    form.append(`picture${i + 1}`, p.file);
    form.append(`alt${i + 1}`, p.alt);
  });
  const page = await client.postMultipart('/notice/new', form);
  assert.equal(page.status, 303, textOf(page.text).slice(0, 300));
}

const attachmentsOf = (server: TestServer, noticeId: number) => server.runtime.ctx.db('notice_attachments').where({ notice_id: noticeId }).orderBy('position');

describe('pictures between two Ostrakons', () => {
  it('bob’s pictures reach alice on A, shown from A’s own copies with their descriptions', async () => {
    await alice.get('/main/follow');
    const follow = await alice.post('/main/follow', { handle: `@bob@${new URL(b.url).host}` });
    assert.equal(follow.status, 303, textOf(follow.text).slice(0, 300));
    await waitFor('alice follows bob', async () => textOf((await bob.get('/bob/subscribers')).text).includes('alice@'), 20_000);

    await postPictures(bob, 'Two views of the harbour', [
      { file: filePart(await stripedImage('jpeg', 800, 600), 'a.jpg', 'image/jpeg'), alt: 'Boats at dawn' },
      { file: filePart(await stripedImage('png', 200, 100), 'b.png', 'image/png'), alt: '' },
    ]);
    await postPictures(bob, '', [{ file: filePart(await stripedImage('webp', 120, 90), 'c.webp', 'image/webp'), alt: 'Only a picture' }]);

    const uri = (content: string) => b.runtime.ctx.db('notices').where({ content }).first().then((n: { id: number }) => `${b.url}/notice/${n.id}`);
    const harbourUri = await uri('Two views of the harbour');
    const aloneUri = await uri('');
    let harbour: { id: number } | undefined;
    await waitFor('both pictures copied on A', async () => {
      harbour = await a.runtime.ctx.db('notices').where({ uri: harbourUri }).first();
      if (!harbour) return false;
      const rows = await attachmentsOf(a, harbour.id);
      return rows.length === 2 && rows.every((r) => r.state === 'ready');
    }, 30_000);
    const rows = await attachmentsOf(a, harbour!.id);
    assert.deepEqual(rows.map((r) => [r.media_type, r.width, r.height, r.alt]), [
      ['image/jpeg', 800, 600, 'Boats at dawn'],
      ['image/png', 200, 100, ''],
    ]);
    const bobRows = await attachmentsOf(b, Number(harbourUri.split('/').pop()));
    assert.equal(rows[0].remote_url, `${b.url}/attachments/${bobRows[0].file_key}.jpg`, 'copied from the original on B');
    assert.notEqual(rows[0].file_key, bobRows[0].file_key, 'A names its copy itself');
    for (const row of rows) assert.ok(existsSync(path.join(a.dataDir, 'attachments', `${row.file_key}-thumb.webp`)));

    const thumbnail = `<img src="/attachments/${rows[0].file_key}-thumb.webp" width="400" height="300" alt="Boats at dawn" loading="lazy">`;
    await waitFor('the notice in alice’s home timeline', async () => (await alice.get('/alice/all')).text.includes(thumbnail)); // fanned out by a job
    const home = await alice.get('/alice/all');
    assert.ok(home.text.includes(`alt="Picture 2 of 2, not described by its author"`));
    assert.ok(![...home.text.matchAll(/src="([^"]+)"/g)].some(([, src]) => src!.includes(new URL(b.url).host)), 'nothing is loaded from B');
    const page = await alice.get(`/attachment/${rows[0].id}`);
    assert.ok(page.text.includes(`<img src="/attachments/${rows[0].file_key}.jpg" width="800" height="600" alt="Boats at dawn">`));

    await waitFor('the picture-only notice on A', async () => {
      const alone = await a.runtime.ctx.db('notices').where({ uri: aloneUri }).first();
      return alone !== undefined && (await attachmentsOf(a, alone.id)).every((r) => r.state === 'ready');
    }, 30_000);
    const alone = await a.runtime.ctx.db('notices').where({ uri: aloneUri }).first();
    assert.equal(alone.content, '');
    assert.equal((await attachmentsOf(a, alone.id))[0].alt, 'Only a picture');
  });

  it('bob’s deletion removes the notice on A; A’s copies are never served again, and the clean-up removes their files', async () => {
    const notice = await b.runtime.ctx.db('notices').where({ content: 'Two views of the harbour' }).first();
    const onA = await a.runtime.ctx.db('notices').where({ uri: `${b.url}/notice/${notice.id}` }).first();
    const copies = await attachmentsOf(a, onA.id);
    await bob.get(`/notice/delete/${notice.id}`);
    assert.equal((await bob.post(`/notice/delete/${notice.id}`, {})).status, 303);
    await waitFor('the deletion on A', async () => (await a.runtime.ctx.db('notices').where({ id: onA.id })).length === 0, 20_000);
    for (const row of copies) assert.equal((await fetch(`${a.url}/attachments/${row.file_key}-thumb.webp`)).status, 404, 'never served again');
    await pictureJobHandlers[PICTURES_PRUNE_JOB]!(a.runtime.ctx, {}, { retryCount: 0, retryLimit: 2, logger: { info() {}, warn() {} } });
    for (const row of copies) assert.ok(!existsSync(path.join(a.dataDir, 'attachments', `${row.file_key}-thumb.webp`)));
    assert.equal((await a.runtime.ctx.db('notice_attachments').whereIn('id', copies.map((r) => r.id))).length, 0);
  });
});

describe('pictures with an independent ActivityPub server', () => {
  let peerProfileId: number;

  before(async () => {
    const actor = await peer.resolve(`@alice@${new URL(a.url).host}`);
    await peer.follow('peer', actor);
    await waitFor('the Accept', async () => peer.received.some((x) => x.type === 'Accept'));
    await alice.post('/main/follow', { handle: `@peer@${peer.host}` });
    peerProfileId = (await a.runtime.ctx.db('profiles').where({ uri: peer.actorUri('peer') }).first()).id;
  });

  it('sends alice’s pictures as attachment Documents with type, URL, description and size', async () => {
    await postPictures(alice, 'For the peer', [
      { file: filePart(await stripedImage('png', 300, 150), 'x.png', 'image/png'), alt: 'Red, green and blue' },
      { file: filePart(await stripedImage('gif', 90, 60), 'y.gif', 'image/gif'), alt: '' },
    ]);
    await waitFor('the Create at the peer', async () => peer.received.some((x) => x.type === 'Create' && (x.json.object as { content?: string }).content === 'For the peer'), 20_000);
    const note = peer.received.find((x) => x.type === 'Create' && (x.json.object as { content?: string }).content === 'For the peer')!.json.object as Record<string, unknown>;
    const attachments = [note.attachment].flat() as Record<string, unknown>[];
    assert.equal(attachments.length, 2);
    assert.deepEqual(
      attachments.map((d) => [d.type, d.mediaType, d.name ?? null, d.width, d.height]),
      [
        ['Document', 'image/png', 'Red, green and blue', 300, 150],
        ['Document', 'image/gif', null, 90, 60],
      ],
    );
    for (const document of attachments) {
      const url = String(document.url);
      assert.match(url, new RegExp(`^${a.url}/attachments/[0-9a-f]{32}\\.(png|gif)$`));
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), document.mediaType);
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      assert.deepEqual([meta.width, meta.height], [document.width, document.height]);
    }
  });

  function createNote(id: string, content: string | undefined, attachment: Record<string, unknown>[]) {
    const from = peer.actorUri('peer');
    return {
      '@context': AS,
      id: `${id}/activity`,
      type: 'Create',
      actor: from,
      to: [`${AS}#Public`],
      object: { id, type: 'Note', attributedTo: from, ...(content === undefined ? {} : { content }), attachment, to: [`${AS}#Public`], published: '2026-12-07T12:00:00Z' },
    };
  }

  it('copies the peer’s pictures through the outbound client, retrying a failing server, giving up on a non-image and a refused address, and keeps the notice', async () => {
    const id = `${peer.actorUri('peer')}/notes/pictures`;
    const activity = createNote(id, '<p>Look at these</p>', [
      { type: 'Document', mediaType: 'image/png', url: `${imagesUrl}/cat.png`, name: 'A <b>cat</b>', width: 1, height: 1 },
      { type: 'Image', url: `${imagesUrl}/flaky.jpg`, name: 'Flaky' },
      { type: 'Document', mediaType: 'image/png', url: `${imagesUrl}/page.png`, name: 'Not really' },
      { type: 'Document', mediaType: 'video/mp4', url: `${imagesUrl}/film.mp4`, name: 'A film' },
      { type: 'Link', href: `${imagesUrl}/cat.png`, mediaType: 'image/png' },
      { type: 'Document', mediaType: 'image/png', url: 'javascript:alert(1)', name: 'Script' },
      // Link-local (a cloud's metadata service): the outbound client refuses it even in tests.
      { type: 'Document', mediaType: 'image/png', url: 'http://169.254.169.254/latest/meta-data.png', name: 'Metadata' },
    ]);
    const response = await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(activity));
    assert.ok(response.status < 300, String(response.status));
    const notice = await a.runtime.ctx.db('notices').where({ uri: id }).first();
    assert.ok(notice, 'the notice is stored at once, before any picture is copied');
    assert.equal(notice.profile_id, peerProfileId);
    let rows = await attachmentsOf(a, notice.id);
    assert.deepEqual(rows.map((r) => [r.remote_url, r.alt]), [
      [`${imagesUrl}/cat.png`, 'A <b>cat</b>'],
      [`${imagesUrl}/flaky.jpg`, 'Flaky'],
      [`${imagesUrl}/page.png`, 'Not really'],
      ['http://169.254.169.254/latest/meta-data.png', 'Metadata'],
    ], 'only images with http(s) addresses, in order');

    await waitFor('the pictures settled', async () => {
      rows = await attachmentsOf(a, notice.id);
      return rows.every((r) => r.state !== 'pending');
    }, 60_000);
    assert.deepEqual(rows.map((r) => [r.state, r.media_type, r.width, r.height]), [
      ['ready', 'image/png', 640, 480],
      ['ready', 'image/jpeg', 300, 200],
      ['failed', 'image/png', null, null],
      ['failed', 'image/png', null, null],
    ], 'sizes measured here, never taken from the note');
    assert.equal(hits.get('/flaky.jpg'), 3, 'two failures, then the copy');
    assert.equal(hits.get('/film.mp4'), undefined, 'a video is not fetched');

    await waitFor('the notice in alice’s home timeline', async () => textOf((await alice.get('/alice/all')).text).includes('Look at these'));
    const html = (await alice.get('/alice/all')).text;
    assert.ok(html.includes(`<img src="/attachments/${rows[0].file_key}-thumb.webp" width="400" height="300" alt="A &lt;b&gt;cat&lt;/b&gt;" loading="lazy">`));
    assert.ok(html.includes(`<a href="${imagesUrl}/page.png" rel="nofollow noopener ugc" class="remote-picture">Picture on its own server: Not really</a>`), 'the picture that could not be copied is a link');
    assert.ok(![...html.matchAll(/<img[^>]+src="([^"]+)"/g)].some(([, src]) => src!.startsWith('http')), 'no picture is loaded from another server');
    const failedPage = await alice.get(`/attachment/${rows[2].id}`);
    assert.match(textOf(failedPage.text), /could not be copied from its own server\. See it there/);
  });

  it('keeps the first four pictures of a note of pictures alone', async () => {
    const id = `${peer.actorUri('peer')}/notes/many`;
    const many = Array.from({ length: 6 }, (_, i) => ({ type: 'Document', mediaType: 'image/png', url: `${imagesUrl}/many-${i}.png` }));
    const response = await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(createNote(id, undefined, many)));
    assert.ok(response.status < 300, String(response.status));
    const notice = await a.runtime.ctx.db('notices').where({ uri: id }).first();
    assert.equal(notice.content, '');
    await waitFor('four copies', async () => (await attachmentsOf(a, notice.id)).every((r) => r.state === 'ready'), 30_000);
    assert.deepEqual((await attachmentsOf(a, notice.id)).map((r) => r.width), [30, 31, 32, 33]);
    assert.equal(hits.get('/many-4.png'), undefined);
  });

  it('takes an Update(Note) as the pictures it lists now: new ones copied, kept ones not fetched again, removed ones no longer served', async () => {
    const id = `${peer.actorUri('peer')}/notes/edited-pictures`;
    const picture = (name: string, alt: string) => ({ type: 'Document', mediaType: 'image/png', url: `${imagesUrl}/${name}`, name: alt });
    const create = createNote(id, '<p>Two for now</p>', [picture('many-0.png', 'First'), picture('many-5.png', 'Second')]);
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(create))).status < 300);
    const notice = await a.runtime.ctx.db('notices').where({ uri: id }).first();
    await waitFor('both copied', async () => (await attachmentsOf(a, notice.id)).every((r) => r.state === 'ready'), 30_000);
    const [first, second] = await attachmentsOf(a, notice.id);
    const fetchedBefore = hits.get('/many-5.png');

    const update = (content: string | undefined, attachment: Record<string, unknown>[], n: number) => ({
      ...createNote(id, content, attachment),
      id: `${id}/update-${n}`,
      type: 'Update',
    });
    // many-0 goes, many-5 stays (described anew) after a new one, many-1.
    const edited = update('<p>Two again, one new</p>', [picture('many-1.png', 'New first'), picture('many-5.png', 'Second, described anew')], 1);
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(edited))).status < 300);
    let rows = await attachmentsOf(a, notice.id);
    assert.deepEqual(rows.map((r) => [r.remote_url, r.alt, r.position]), [
      [`${imagesUrl}/many-1.png`, 'New first', 0],
      [`${imagesUrl}/many-5.png`, 'Second, described anew', 1],
    ]);
    assert.equal(rows[1].id, second.id, 'the kept picture keeps its copy');
    assert.equal(rows[1].file_key, second.file_key);
    assert.equal((await a.runtime.ctx.db('notice_attachments').where({ id: first.id }).first()).notice_id, null, 'the removed one is detached');
    assert.equal((await fetch(`${a.url}/attachments/${first.file_key}-thumb.webp`)).status, 404, 'and no longer served');
    await waitFor('the new one copied', async () => (await attachmentsOf(a, notice.id)).every((r) => r.state === 'ready'), 30_000);
    assert.equal(hits.get('/many-5.png'), fetchedBefore, 'the kept one is not fetched again');
    await waitFor('the edit on alice’s home timeline', async () => (await alice.get('/alice/all')).text.includes('Second, described anew'));
    const home = (await alice.get('/alice/all')).text;
    rows = await attachmentsOf(a, notice.id);
    assert.ok(home.includes(`/attachments/${rows[0].file_key}-thumb.webp`) && !home.includes(first.file_key));

    // An edit down to text alone drops every picture; one of pictures alone is taken too.
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(update('<p>Words only now</p>', [], 2)))).status < 300);
    assert.deepEqual(await attachmentsOf(a, notice.id), []);
    assert.ok((await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(update(undefined, [picture('many-5.png', '')], 3)))).status < 300);
    const last = await a.runtime.ctx.db('notices').where({ id: notice.id }).first();
    assert.equal(last.content, '');
    assert.deepEqual((await attachmentsOf(a, notice.id)).map((r) => r.remote_url), [`${imagesUrl}/many-5.png`]);
  });

  it('stores nothing for a note with neither text nor pictures', async () => {
    const id = `${peer.actorUri('peer')}/notes/empty`;
    const response = await peer.signedPost('peer', `${a.url}/inbox`, JSON.stringify(createNote(id, undefined, [{ type: 'Document', mediaType: 'video/mp4', url: `${imagesUrl}/film.mp4` }])));
    assert.ok(response.status < 500, String(response.status));
    assert.equal((await a.runtime.ctx.db('notices').where({ uri: id })).length, 0);
  });
});
