// Avatar uploads: each accepted format, each refusal (nothing kept, no file left), the stored
// sizes, serving headers, the default picture, avatars beside notices, removal and a full disk.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { filePart, jpegWithExif, solidPng, stripedImage } from '../helpers/images.ts';

import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const MAX_BYTES = 200 * 1024;
let server: TestServer;
let alice: WebClient;

before(async () => {
  server = await startTestServer({ env: { AVATAR_MAX_BYTES: String(MAX_BYTES) } });
  alice = await registeredClient(server.url, 'alice');
});
after(() => server.stop());

function storedFiles(): string[] {
  try {
    return readdirSync(path.join(server.dataDir, 'avatars')).sort();
  } catch {
    return [];
  }
}

async function avatarKey(nickname = 'alice'): Promise<string | null> {
  return (await server.runtime.ctx.db('profiles').where({ nickname, is_local: true }).first()).avatar_key;
}

async function upload(parts: [string, File | string][], client = alice) {
  await client.get('/settings/avatar');
  const form = new FormData();
  for (const [name, value] of parts) form.append(name, value);
  return client.postMultipart('/settings/avatar', form);
}

async function fetchBytes(url: string) {
  const response = await fetch(new URL(url, server.url));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('avatar uploads', () => {
  it('serves the default picture to someone without an avatar', async () => {
    assert.equal(await avatarKey(), null);
    const profile = await alice.get('/alice');
    assert.match(profile.text, /<img class="avatar avatar-large" src="\/images\/default-avatar-96\.png" width="96" height="96" alt="alice has no avatar">/);
    for (const size of [96, 48, 24]) {
      const { response, bytes } = await fetchBytes(`/alice/avatar/${size}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(response.headers.get('cache-control')!, /max-age=300/);
      assert.deepEqual(bytes, readFileSync(path.join(import.meta.dirname, `../../public/images/default-avatar-${size}.png`)));
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', size, size]);
    }
  });

  for (const format of ['png', 'jpeg', 'gif', 'webp'] as const) {
    it(`accepts a ${format.toUpperCase()} image, stores 96, 48 and 24 px PNG squares, and deletes the previous files`, async () => {
      const previous = await avatarKey();
      // The declared name and type lie on purpose: only the bytes count.
      const page = await upload([['avatar', filePart(await stripedImage(format), 'picture.txt', 'application/octet-stream')]]);
      assert.equal(page.status, 303, textOf(page.text));
      assert.equal(page.location, '/settings/avatar?saved=1');
      const key = await avatarKey();
      assert.match(key!, /^[0-9a-f]{32}$/);
      assert.notEqual(key, previous);
      assert.deepEqual(storedFiles(), [`${key}-24.png`, `${key}-48.png`, `${key}-96.png`], 'only the new files remain');
      for (const size of [96, 48, 24]) {
        const meta = await sharp(path.join(server.dataDir, 'avatars', `${key}-${size}.png`)).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height], ['png', size, size]);
      }
      // Centre crop of a red|green|blue strip: the middle of the square is green, its edges not red-free.
      const { data } = await sharp(path.join(server.dataDir, 'avatars', `${key}-96.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [...data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3)];
      const [r, g, b] = pixel(48, 48);
      assert.ok(g! > 200 && r! < 60 && b! < 60, `centre is green, got ${[r, g, b]}`);
      const saved = await alice.get('/settings/avatar?saved=1');
      assert.match(textOf(saved.text), /Your new avatar has been saved/);
      assert.match(saved.text, new RegExp(`src="/alice/avatar/96\\?v=${key}"[^>]*alt="Your current avatar"`));
    });
  }

  it('keeps no EXIF or other metadata', async () => {
    const original = await jpegWithExif();
    assert.ok((await sharp(original).metadata()).exif, 'the test image does carry EXIF');
    const page = await upload([['avatar', filePart(original, 'camera.jpg', 'image/jpeg')]]);
    assert.equal(page.status, 303, textOf(page.text));
    const key = await avatarKey();
    for (const size of [96, 48, 24]) {
      const bytes = readFileSync(path.join(server.dataDir, 'avatars', `${key}-${size}.png`));
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.exif, undefined);
      assert.equal(meta.icc, undefined);
      assert.equal(meta.xmp, undefined);
      assert.ok(!bytes.includes('secret-exif-marker'));
      assert.ok(!bytes.includes('eXIf'));
    }
  });

  it('serves the stored sizes with long cache lifetimes under the current key, briefly otherwise', async () => {
    const key = await avatarKey();
    for (const size of [96, 48, 24]) {
      const { response, bytes } = await fetchBytes(`/alice/avatar/${size}?v=${key}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.deepEqual(bytes, readFileSync(path.join(server.dataDir, 'avatars', `${key}-${size}.png`)));
    }
    const unversioned = await fetchBytes('/alice/avatar/96');
    assert.equal(unversioned.response.headers.get('cache-control'), 'public, max-age=300');
    const stale = await fetchBytes(`/alice/avatar/96?v=${'0'.repeat(32)}`);
    assert.equal(stale.response.headers.get('cache-control'), 'public, max-age=300');
    for (const missing of ['/alice/avatar/100', '/alice/avatar/abc', '/nobody/avatar/96', '/remote/99999/avatar/96', '/remote/x/avatar/48']) {
      assert.equal((await fetch(new URL(missing, server.url))).status, 404, missing);
    }
  });

  it('shows the 96 px avatar on the profile and the 48 px one beside each notice', async () => {
    const key = await avatarKey();
    const posted = await alice.post('/notice/new', { content: 'A notice with a face', returnto: '/' });
    assert.equal(posted.status, 303);
    const profile = await alice.get('/alice');
    assert.match(profile.text, new RegExp(`<img class="avatar avatar-large" src="/alice/avatar/96\\?v=${key}" width="96" height="96" alt="Avatar of alice">`));
    const timeline = await new WebClient(server.url).get('/');
    assert.match(timeline.text, new RegExp(`<article aria-label="Notice by alice">\\s*<img class="avatar" src="/alice/avatar/48\\?v=${key}" width="48" height="48" alt="">`));
  });

  const refusals: [string, () => Promise<[string, File | string][]>, number, RegExp][] = [
    ['a text file named .png and declared image/png', async () => [['avatar', filePart('just some text, not a picture', 'evil.png', 'image/png')]], 415, /not a PNG, JPEG, GIF or WebP image/],
    ['an SVG (scriptable, not accepted)', async () => [['avatar', filePart('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'a.svg', 'image/svg+xml')]], 415, /not a PNG, JPEG, GIF or WebP/],
    ['a truncated PNG', async () => [['avatar', filePart((await stripedImage('png', 600, 600)).subarray(0, 400), 'cut.png', 'image/png')]], 400, /could not be read; it may be damaged or incomplete/],
    ['a truncated JPEG', async () => [['avatar', filePart((await stripedImage('jpeg', 600, 600)).subarray(0, 2000), 'cut.jpg', 'image/jpeg')]], 400, /could not be read/],
    ['a file over AVATAR_MAX_BYTES', async () => [['avatar', filePart(Buffer.concat([await stripedImage('png'), Buffer.alloc(MAX_BYTES)]), 'big.png', 'image/png')]], 413, /too large; images of at most 200 KB/],
    ['an image of too many pixels', async () => [['avatar', filePart(await solidPng(5000, 5000), 'huge.png', 'image/png')]], 413, /5000×5000 pixels; at most 4096×4096/],
    ['an image too wide', async () => [['avatar', filePart(await solidPng(4097, 10), 'wide.png', 'image/png')]], 413, /4097×10 pixels/],
    ['two files', async () => [['avatar', filePart(await stripedImage('png'), 'a.png', 'image/png')], ['avatar', filePart(await stripedImage('png'), 'b.png', 'image/png')]], 400, /one image/],
    ['a file in the wrong field', async () => [['picture', filePart(await stripedImage('png'), 'a.png', 'image/png')]], 400, /in the avatar field/],
    ['no file at all', async () => [['note', 'nothing']], 400, /Choose an image file/],
    ['an empty file', async () => [['avatar', filePart(Buffer.alloc(0), 'empty.png', 'image/png')]], 400, /Choose an image file/],
  ];
  for (const [what, parts, status, message] of refusals) {
    it(`refuses ${what} with ${status}, the form and its reason, keeping the old avatar and leaving no file`, async () => {
      const key = await avatarKey();
      const files = storedFiles();
      const jobs = await server.runtime.ctx.db.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'profile.distribute'`);
      const page = await upload(await parts());
      assert.equal(page.status, status, textOf(page.text).slice(0, 500));
      assert.match(textOf(page.text), message);
      assert.match(page.text, /<form method="post" action="\/settings\/avatar" enctype="multipart\/form-data"/);
      assert.match(page.text, /aria-invalid="true"/);
      assert.equal(await avatarKey(), key, 'the old avatar stays');
      assert.deepEqual(storedFiles(), files, 'no file left behind');
      const after = await server.runtime.ctx.db.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'profile.distribute'`);
      assert.equal(after.rows[0].n, jobs.rows[0].n);
    });
  }

  it('refuses a multipart upload without a valid CSRF token', async () => {
    const key = await avatarKey();
    const form = new FormData();
    form.append('avatar', filePart(await stripedImage('png'), 'a.png', 'image/png'));
    assert.equal((await alice.postMultipart('/settings/avatar', form, false)).status, 403);
    const forged = new FormData();
    forged.append('_csrf', 'not-the-token');
    forged.append('avatar', filePart(await stripedImage('png'), 'a.png', 'image/png'));
    assert.equal((await alice.postMultipart('/settings/avatar', forged)).status, 403);
    const visitor = new WebClient(server.url);
    await visitor.get('/main/login');
    assert.equal((await visitor.postMultipart('/settings/avatar', form)).status, 403);
    assert.equal(await avatarKey(), key);
  });

  it('answers a disk it cannot write with a clear 500 page, and keeps the old avatar', async () => {
    const key = await avatarKey();
    const folder = path.join(server.dataDir, 'avatars');
    const aside = `${folder}-aside`;
    renameSync(folder, aside);
    writeFileSync(folder, 'a file where the folder should be');
    try {
      const page = await upload([['avatar', filePart(await stripedImage('png'), 'a.png', 'image/png')]]);
      assert.equal(page.status, 500);
      assert.match(textOf(page.text), /could not be stored on the server/);
      assert.equal(await avatarKey(), key);
    } finally {
      rmSync(folder);
      renameSync(aside, folder);
    }
    assert.equal((await alice.get('/alice')).status, 200, 'the server carries on');
  });

  it('removes the avatar with a CSRF-protected POST', async () => {
    const settings = await alice.get('/settings/avatar');
    assert.match(settings.text, /action="\/settings\/avatar\/delete"/);
    assert.equal((await alice.post('/settings/avatar/delete', { _csrf: null })).status, 403);
    assert.notEqual(await avatarKey(), null);
    const page = await alice.post('/settings/avatar/delete', {});
    assert.equal(page.status, 303);
    assert.equal(await avatarKey(), null);
    assert.deepEqual(storedFiles(), []);
    const profile = await alice.get('/alice');
    assert.match(profile.text, /src="\/images\/default-avatar-96\.png"/);
  });
});
