// Pictures attached to notices from the post form: each accepted format, up to four with their
// descriptions, re-encoded without metadata, a thumbnail on timelines (read in the page's one
// query), the full size on /attachment/:id, served like avatars, removed with their notice; and
// every refusal answered with the form again, the text kept, and nothing written.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { pictureJobHandlers } from '../../src/domain/picture-uploads.ts';
import { PICTURES_PRUNE_JOB } from '../../src/domain/jobs.ts';
import { listPublicNotices } from '../../src/db/timelines.ts';
import { searchNotices } from '../../src/db/search.ts';
import { filePart, jpegWithExif, solidPng, stripedImage } from '../helpers/images.ts';
import { planOf } from '../helpers/query-plan.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { noticeIds, registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const MAX_BYTES = 300 * 1024;
let server: TestServer;
let alice: WebClient;

before(async () => {
  server = await startTestServer({ env: { PICTURE_MAX_BYTES: String(MAX_BYTES), DUPLICATE_NOTICE_MINUTES: '5' } });
  alice = await registeredClient(server.url, 'alice');
});
after(() => server.stop());

type Slot = { file?: File; alt?: string };

async function post(content: string, slots: Slot[], client = alice, extra: [string, string | File][] = []) {
  await client.get('/notice/new');
  const form = new FormData();
  form.append('returnto', '/');
  form.append('content', content);
  slots.forEach((slot, i) => {
    if (slot.file) form.append(`picture${i + 1}`, slot.file);
    form.append(`alt${i + 1}`, slot.alt ?? '');
  });
  for (const [name, value] of extra) form.append(name, value);
  return client.postMultipart('/notice/new', form);
}

function storedFiles(): string[] {
  const folder = path.join(server.dataDir, 'attachments');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

const db = () => server.runtime.ctx.db;
const attachmentsOf = (noticeId: number) => db()('notice_attachments').where({ notice_id: noticeId }).orderBy('position');
const latestNotice = async () => (await db()('notices').orderBy('id', 'desc').first()) as { id: number; content: string } | undefined;

async function fetchFile(url: string) {
  const response = await fetch(new URL(url, server.url));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('posting pictures', () => {
  it('stores four pictures of four formats in order, re-encoded, each with a thumbnail and its description', async () => {
    const formats = ['png', 'jpeg', 'gif', 'webp'] as const;
    // The declared names and types lie on purpose: only the bytes count.
    const slots = await Promise.all(formats.map(async (format, i) => ({ file: filePart(await stripedImage(format, 900, 300), `p${i}.txt`, 'text/plain'), alt: `A ${format} strip <b>${i}</b>` })));
    const page = await post('Four stripes #colours', slots);
    assert.equal(page.status, 303, textOf(page.text).slice(0, 400));
    const notice = (await latestNotice())!;
    assert.equal(notice.content, 'Four stripes #colours');
    const rows = await attachmentsOf(notice.id);
    assert.deepEqual(rows.map((r) => [r.position, r.state, r.media_type, r.width, r.height, r.thumb_width, r.thumb_height, r.alt]), [
      [0, 'ready', 'image/png', 900, 300, 400, 133, 'A png strip <b>0</b>'],
      [1, 'ready', 'image/jpeg', 900, 300, 400, 133, 'A jpeg strip <b>1</b>'],
      [2, 'ready', 'image/gif', 900, 300, 400, 133, 'A gif strip <b>2</b>'],
      [3, 'ready', 'image/webp', 900, 300, 400, 133, 'A webp strip <b>3</b>'],
    ]);
    const extensions = ['png', 'jpg', 'gif', 'webp'];
    const expected = rows.flatMap((r, i) => [`${r.file_key}-thumb.webp`, `${r.file_key}.${extensions[i]}`]).sort();
    assert.deepEqual(storedFiles(), expected, 'an original and a thumbnail each, named by random keys');
    for (const [i, row] of rows.entries()) {
      assert.match(row.file_key, /^[0-9a-f]{32}$/);
      const original = await sharp(path.join(server.dataDir, 'attachments', `${row.file_key}.${extensions[i]}`)).metadata();
      assert.deepEqual([original.format, original.width, original.height], [formats[i] === 'jpeg' ? 'jpeg' : formats[i], 900, 300]);
      const thumbnail = await sharp(path.join(server.dataDir, 'attachments', `${row.file_key}-thumb.webp`)).metadata();
      assert.deepEqual([thumbnail.format, thumbnail.width, thumbnail.height], ['webp', 400, 133]);
    }

    // The public timeline: thumbnails with their descriptions (escaped), each linking to its page.
    const timeline = await new WebClient(server.url).get('/');
    for (const row of rows) {
      const alt = row.alt.replace(/</g, '&lt;').replace(/>/g, '&gt;');
      assert.ok(
        timeline.text.includes(`<a href="/attachment/${row.id}"><img src="/attachments/${row.file_key}-thumb.webp" width="400" height="133" alt="${alt}" loading="lazy"></a>`),
        `thumbnail of picture ${row.position}`,
      );
    }
    assert.ok(!timeline.text.includes('<b>'), 'descriptions are text, never markup');
  });

  it('shows each picture at its full size on its own page, with its description and its notice', async () => {
    const notice = (await latestNotice())!;
    const [first, second] = await attachmentsOf(notice.id);
    const page = await new WebClient(server.url).get(`/attachment/${second.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Picture 2 of 4 by alice<\/h1>/);
    assert.ok(page.text.includes(`<img src="/attachments/${second.file_key}.jpg" width="900" height="300" alt="A jpeg strip &lt;b&gt;1&lt;/b&gt;">`));
    assert.match(textOf(page.text), /Description: A jpeg strip <b>1<\/b>/);
    assert.match(textOf(page.text), /Four stripes #colours/, 'the notice it came with');
    assert.equal((await new WebClient(server.url).get(`/attachment/${first.id + 1000}`)).status, 404);
    assert.equal((await new WebClient(server.url).get('/attachment/abc')).status, 404);
  });

  it('serves the files with their type, nosniff and a year of caching, and nothing under any other name', async () => {
    const notice = (await latestNotice())!;
    const rows = await attachmentsOf(notice.id);
    const types = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
    const extensions = ['png', 'jpg', 'gif', 'webp'];
    for (const [i, row] of rows.entries()) {
      for (const [name, type] of [[`${row.file_key}.${extensions[i]}`, types[i]], [`${row.file_key}-thumb.webp`, 'image/webp']] as const) {
        const { response, bytes } = await fetchFile(`/attachments/${name}`);
        assert.equal(response.status, 200, name);
        assert.equal(response.headers.get('content-type'), type);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.deepEqual(bytes, readFileSync(path.join(server.dataDir, 'attachments', name)));
      }
    }
    const key = rows[0].file_key;
    for (const missing of [`${key}.jpg`, `${key}.png.html`, `${key}-thumb.png`, `${'0'.repeat(32)}.png`, '..%2Fsession-secret', 'x.png']) {
      assert.equal((await fetchFile(`/attachments/${missing}`)).response.status, 404, missing);
    }
  });

  it('keeps no EXIF or other metadata, in the original or the thumbnail', async () => {
    const original = await jpegWithExif();
    assert.ok((await sharp(original).metadata()).exif, 'the test image does carry EXIF');
    const page = await post('From my camera', [{ file: filePart(original, 'camera.jpg', 'image/jpeg'), alt: 'A blue rectangle' }]);
    assert.equal(page.status, 303, textOf(page.text));
    const [row] = await attachmentsOf((await latestNotice())!.id);
    for (const name of [`${row.file_key}.jpg`, `${row.file_key}-thumb.webp`]) {
      const bytes = readFileSync(path.join(server.dataDir, 'attachments', name));
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.exif, undefined, name);
      assert.equal(meta.xmp, undefined, name);
      assert.ok(!bytes.includes('secret-exif-marker'), name);
      assert.ok(!bytes.includes('TestCam'), name);
    }
  });

  it('keeps an animated GIF animated, with a still thumbnail', async () => {
    const frames = await Promise.all([[255, 0, 0], [0, 255, 0], [0, 0, 255]].map(([r, g, b]) => sharp({ create: { width: 60, height: 40, channels: 3, background: { r: r!, g: g!, b: b! } } }).png().toBuffer()));
    const gif = await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100], loop: 0 }).toBuffer();
    const page = await post('Blinking', [{ file: filePart(gif, 'blink.gif', 'image/gif'), alt: 'Red, green, blue' }]);
    assert.equal(page.status, 303, textOf(page.text));
    const [row] = await attachmentsOf((await latestNotice())!.id);
    assert.deepEqual([row.width, row.height], [60, 40]);
    const original = await sharp(path.join(server.dataDir, 'attachments', `${row.file_key}.gif`)).metadata();
    assert.equal(original.pages, 3);
    const thumbnail = await sharp(path.join(server.dataDir, 'attachments', `${row.file_key}-thumb.webp`)).metadata();
    assert.equal(thumbnail.pages ?? 1, 1);
  });

  it('accepts a notice of pictures alone, and gives an undescribed picture a stand-in description', async () => {
    const page = await post('   ', [{ file: filePart(await stripedImage('png', 90, 30), 'a.png', 'image/png') }]);
    assert.equal(page.status, 303, textOf(page.text));
    const notice = (await latestNotice())!;
    assert.equal(notice.content, '');
    const [row] = await attachmentsOf(notice.id);
    assert.equal(row.alt, '');
    const timeline = await new WebClient(server.url).get('/');
    assert.equal(noticeIds(timeline.text)[0], notice.id);
    assert.ok(timeline.text.includes(`alt="Picture not described by its author"`));
    const single = await new WebClient(server.url).get(`/notice/${notice.id}`);
    assert.equal(single.status, 200);
    assert.ok(!single.text.includes('<p class="notice-text"></p>'), 'no empty paragraph for the missing text');
  });

  it('does not refuse the same words again as a duplicate when they come with new pictures', async () => {
    assert.equal((await post('Same words', [])).status, 303);
    assert.equal((await post('Same words', [])).status, 409, 'words alone: a duplicate');
    assert.equal((await post('Same words', [{ file: filePart(await stripedImage('png', 30, 30), 'a.png', 'image/png') }])).status, 303);
  });

  it('still takes a urlencoded post without pictures', async () => {
    const page = await alice.post('/notice/new', { content: 'Plain form', returnto: '/' });
    assert.equal(page.status, 303);
    assert.equal((await latestNotice())!.content, 'Plain form');
  });
});

describe('refusing pictures', () => {
  const tooLong = 'é'.repeat(1501);
  const refusals: [string, () => Promise<Slot[]>, number, RegExp, string?][] = [
    ['a text file named .png and declared image/png', async () => [{ file: filePart('not a picture at all', 'evil.png', 'image/png'), alt: 'kept description' }], 415, /The picture is not a PNG, JPEG, GIF or WebP image/],
    ['an SVG', async () => [{ file: filePart('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'a.svg', 'image/svg+xml') }], 415, /not a PNG, JPEG, GIF or WebP/],
    ['a truncated PNG as the second of two', async () => [{ file: filePart(await stripedImage('png'), 'ok.png', 'image/png') }, { file: filePart((await stripedImage('png', 600, 600)).subarray(0, 400), 'cut.png', 'image/png') }], 400, /Picture 2 could not be read; it may be damaged or incomplete/],
    ['a file over PICTURE_MAX_BYTES', async () => [{ file: filePart(Buffer.concat([await stripedImage('png'), Buffer.alloc(MAX_BYTES)]), 'big.png', 'image/png') }], 413, /Picture 1 is too large: pictures of at most 300 KB each/],
    ['an image of too many pixels', async () => [{ file: filePart(await solidPng(5000, 5000), 'huge.png', 'image/png') }], 413, /is 5000×5000 pixels; at most 16,777,216 pixels/],
    ['a description that is too long', async () => [{ file: filePart(await stripedImage('png'), 'a.png', 'image/png'), alt: tooLong }], 400, /description of picture 1 is too long: 1501 characters, and at most 1500/],
    ['a description without a picture', async () => [{}, { alt: 'a picture I forgot' }], 400, /Picture 2 has a description but no file/],
    ['a description with a control character', async () => [{ file: filePart(await stripedImage('png'), 'a.png', 'image/png'), alt: 'bell \u0007' }], 400, /description of picture 1 contains control characters/],
  ];
  for (const [what, slots, status, message] of refusals) {
    it(`refuses ${what} with ${status}, showing the form again with the text typed, writing nothing`, async () => {
      const before = { notices: (await db()('notices').count({ n: '*' }))[0]!.n, rows: (await db()('notice_attachments').count({ n: '*' }))[0]!.n, files: storedFiles() };
      const sent = await slots();
      const page = await post('My words stay #kept', sent);
      assert.equal(page.status, status, textOf(page.text).slice(0, 500));
      assert.match(textOf(page.text), message);
      // A browser cannot be given files back: the form says to choose them again when some were sent.
      assert.equal(textOf(page.text).includes('Choose your pictures again'), sent.some((slot) => slot.file !== undefined));
      assert.match(page.text, /<form method="post" action="\/notice\/new" enctype="multipart\/form-data"/);
      assert.match(page.text, /<textarea id="notice-content"[^>]*aria-invalid="true"[^>]*>My words stay #kept<\/textarea>/);
      assert.match(page.text, /<details class="picture-slots" open>/);
      assert.equal((await db()('notices').count({ n: '*' }))[0]!.n, before.notices, 'no notice');
      assert.equal((await db()('notice_attachments').count({ n: '*' }))[0]!.n, before.rows, 'no picture row');
      assert.deepEqual(storedFiles(), before.files, 'no file left behind');
    });
  }

  it('keeps the descriptions typed when it refuses the post', async () => {
    const page = await post('', [{ file: filePart('nope', 'a.png', 'image/png'), alt: 'First <one>' }, { alt: '' }, { alt: 'third' }]);
    assert.equal(page.status, 400);
    assert.match(page.text, /<textarea id="alt1" name="alt1"[^>]*>First &lt;one&gt;<\/textarea>/);
    assert.match(page.text, /<textarea id="alt3" name="alt3"[^>]*>third<\/textarea>/);
  });

  it('refuses a fifth picture, or one in a field the form does not have, with 400', async () => {
    const before = storedFiles();
    const png = filePart(await stripedImage('png', 30, 30), 'a.png', 'image/png');
    const five = await post('Five', [{ file: png }, { file: png }, { file: png }, { file: png }], alice, [['picture5', png]]);
    assert.equal(five.status, 400);
    assert.match(textOf(five.text), /at most 4 pictures/);
    const twice = await post('Twice', [{ file: png }], alice, [['picture1', png]]);
    assert.equal(twice.status, 400);
    assert.match(textOf(twice.text), /at most 4 pictures/);
    assert.deepEqual(storedFiles(), before);
    assert.notEqual((await latestNotice())!.content, 'Five');
  });

  it('refuses an empty notice without pictures, and text over the limit with pictures, writing no file', async () => {
    const before = storedFiles();
    const empty = await post('  ', []);
    assert.equal(empty.status, 400);
    assert.match(textOf(empty.text), /Write something first, or attach a picture/);
    const long = await post('x'.repeat(141), [{ file: filePart(await stripedImage('png'), 'a.png', 'image/png') }]);
    assert.equal(long.status, 400);
    assert.match(textOf(long.text), /too long: 141 characters/);
    assert.deepEqual(storedFiles(), before);
  });

  it('refuses a multipart post without a valid CSRF token, and from a visitor', async () => {
    const before = storedFiles();
    const form = new FormData();
    form.append('content', 'forged');
    form.append('picture1', filePart(await stripedImage('png'), 'a.png', 'image/png'));
    assert.equal((await alice.postMultipart('/notice/new', form, false)).status, 403);
    const visitor = new WebClient(server.url);
    await visitor.get('/main/login');
    assert.equal((await visitor.postMultipart('/notice/new', form)).status, 403);
    assert.deepEqual(storedFiles(), before);
    assert.notEqual((await latestNotice())!.content, 'forged');
  });

  it('removes the written files when the notice cannot be saved', async () => {
    const before = storedFiles();
    const notices = (await db()('notices').count({ n: '*' }))[0]!.n;
    // A database that refuses the picture rows, after the files were written.
    await db().raw(`CREATE FUNCTION refuse_pictures() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$`);
    await db().raw(`CREATE TRIGGER refuse_pictures BEFORE INSERT ON notice_attachments FOR EACH ROW WHEN (NEW.alt = 'explode') EXECUTE FUNCTION refuse_pictures()`);
    try {
      const page = await post('Doomed', [{ file: filePart(await stripedImage('png'), 'a.png', 'image/png'), alt: 'fine' }, { file: filePart(await stripedImage('gif'), 'b.gif', 'image/gif'), alt: 'explode' }]);
      assert.equal(page.status, 500);
    } finally {
      await db().raw('DROP TRIGGER refuse_pictures ON notice_attachments; DROP FUNCTION refuse_pictures()');
    }
    assert.deepEqual(storedFiles(), before, 'both pictures’ files removed again');
    assert.equal((await db()('notices').count({ n: '*' }))[0]!.n, notices);
  });
});

describe('feeds', () => {
  it('show the thumbnails in the entry HTML with absolute URLs, and name a notice of pictures alone', async () => {
    const page = await post('', [{ file: filePart(await stripedImage('png', 90, 30), 'a.png', 'image/png'), alt: 'Tom & "Jerry"' }]);
    assert.equal(page.status, 303);
    const [row] = await attachmentsOf((await latestNotice())!.id);
    const atom = await (await fetch(`${server.url}/alice/atom`)).text();
    assert.match(atom, /<title>alice: a picture<\/title>/);
    const thumbnail = `<a href="${server.url}/attachment/${row.id}"><img src="${server.url}/attachments/${row.file_key}-thumb.webp" width="90" height="30" alt="Tom &#38; &#34;Jerry&#34;"></a>`;
    const xmlEscaped = thumbnail.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    assert.ok(atom.includes(xmlEscaped), 'the entry HTML, escaped once more as XML text');
  });
});

describe('timelines and deletion', () => {
  it('reads the pictures of a whole timeline page in its one query, through an index', async () => {
    const png = await stripedImage('png', 30, 30);
    for (let i = 0; i < 21; i++) assert.equal((await post(`Picture notice ${i}`, [{ file: filePart(png, 'a.png', 'image/png'), alt: `number ${i}` }])).status, 303);
    // The jobs those posts queued read notices too: let them finish before counting.
    await waitFor('the queued jobs', async () => (await db().raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active') AND name LIKE 'notice.%'`)).rows[0].n === 0);
    const queries: string[] = [];
    const listener = (query: { sql: string }) => void queries.push(query.sql);
    db().on('query', listener);
    let page;
    try {
      page = await new WebClient(server.url).get('/');
    } finally {
      db().off('query', listener);
    }
    assert.equal(page.status, 200);
    assert.equal(noticeIds(page.text).length, 20);
    assert.equal((page.text.match(/<img src="\/attachments\/[0-9a-f]{32}-thumb\.webp"/g) ?? []).length, 20);
    assert.equal(queries.filter((sql) => sql.includes('notice_attachments')).length, 1, 'one query reads every picture of the page');
    const plan = await planOf(db(), (trx) => listPublicNotices(trx, { before: undefined, limit: 20 }));
    assert.match(plan, /notice_attachments_by_notice/);
  });

  it('looks up pictures only for the notices a sorted page keeps (a search sorts its matches)', async () => {
    await db().raw('ANALYZE notice_attachments');
    const plan = await planOf(db(), (trx) => searchNotices(trx, 'picture', { before: undefined, limit: 20 }));
    // The column where a node's name starts in EXPLAIN's text says how deep it is.
    const column = (pattern: RegExp) => plan.split('\n').find((l) => pattern.test(l))?.search(pattern);
    const sort = column(/\bSort\b/);
    // Whatever plan is chosen, the per-notice lookup is never under a sort of every match.
    if (sort !== undefined) assert.ok(column(/SubPlan/)! < sort, plan);
    assert.match(plan, /notice_attachments_by_notice/);
  });

  it('removes the pictures and their files with their notice', async () => {
    const page = await post('Short-lived', [{ file: filePart(await stripedImage('png'), 'a.png', 'image/png'), alt: 'soon gone' }]);
    assert.equal(page.status, 303);
    const notice = (await latestNotice())!;
    const [row] = await attachmentsOf(notice.id);
    const names = [`${row.file_key}.png`, `${row.file_key}-thumb.webp`];
    assert.ok(names.every((name) => storedFiles().includes(name)));
    await alice.get(`/notice/delete/${notice.id}`);
    assert.equal((await alice.post(`/notice/delete/${notice.id}`, {})).status, 303);
    assert.equal((await db()('notice_attachments').where({ id: row.id })).length, 0, 'the row is gone');
    assert.ok(names.every((name) => !storedFiles().includes(name)), 'the files are gone');
    assert.equal((await fetchFile(`/attachments/${names[0]}`)).response.status, 404);
    assert.equal((await new WebClient(server.url).get(`/attachment/${row.id}`)).status, 404);
  });

  it('removes, on its schedule, the files of pictures whose notice went another way', async () => {
    const page = await post('Removed behind the scenes', [{ file: filePart(await stripedImage('png'), 'a.png', 'image/png') }]);
    assert.equal(page.status, 303);
    const notice = (await latestNotice())!;
    const [row] = await attachmentsOf(notice.id);
    await db()('notices').where({ id: notice.id }).delete(); // as a remote Delete or a removed account would
    assert.equal((await db()('notice_attachments').where({ id: row.id }).first()).notice_id, null, 'detached, not lost');
    assert.equal((await fetchFile(`/attachments/${row.file_key}.png`)).response.status, 404, 'never served once detached');
    await pictureJobHandlers[PICTURES_PRUNE_JOB]!(server.runtime.ctx, {}, { retryCount: 0, retryLimit: 2, logger: { info() {}, warn() {} } });
    assert.equal((await db()('notice_attachments').where({ id: row.id })).length, 0);
    assert.ok(!storedFiles().some((name) => name.startsWith(row.file_key)));
  });
});
