// Profiles and avatars across two real servers over loopback: profile edits reach subscribers as
// updateProfile, and A keeps (and serves) its own copy of B's avatar, following every change.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { changeRemoteProfile, saveRemoteProfile } from '../../src/domain/remote-profiles.ts';
import { filePart, stripedImage } from '../helpers/images.ts';
import { remoteSubscribe, startTwoSites } from '../helpers/omb.ts';
import { recordingHttpClient } from '../helpers/outbound.ts';
import { waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf } from '../helpers/web-client.ts';
import type { WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient; // on A
let bob: WebClient; // on B
const outboundA = recordingHttpClient();

before(async () => {
  ({ a, b, alice, bob } = await startTwoSites({ httpClientA: outboundA }));
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

function files(server: TestServer): string[] {
  try {
    return readdirSync(path.join(server.dataDir, 'avatars'));
  } catch {
    return [];
  }
}

async function uploadAvatar(client: WebClient, image: Buffer): Promise<void> {
  await client.get('/settings/avatar');
  const form = new FormData();
  form.append('avatar', filePart(image, 'me.png', 'image/png'));
  const page = await client.postMultipart('/settings/avatar', form);
  assert.equal(page.status, 303, textOf(page.text));
}

async function bobOnA() {
  return a.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: false }).first();
}

async function centre(bytes: Buffer): Promise<number[]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 3;
  return [...data.subarray(offset, offset + 3)];
}

async function get(server: TestServer, url: string) {
  const response = await fetch(new URL(url, server.url));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('remote avatars and profile updates between two servers', () => {
  it('A stores and serves its own copy of the avatar bob uploaded on B when alice subscribes', async () => {
    await uploadAvatar(bob, await stripedImage('png', 300, 150)); // green in the middle
    await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
    let remote = await bobOnA();
    const bobKey = (await b.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: true }).first()).avatar_key;
    assert.equal(remote.avatar_url, `${b.url}/bob/avatar/96?v=${bobKey}`, 'B sent its absolute 96 px URL');
    await waitFor('A to copy the avatar', async () => (remote = await bobOnA()).avatar_key !== null);
    assert.deepEqual(outboundA.requests, [{ method: 'GET', url: remote.avatar_url, status: 200 }], 'A fetched the avatar through the client it was given, and sent nothing else');
    assert.equal(files(a).length, 3);
    const ours = await get(a, `/remote/${remote.id}/avatar/96?v=${remote.avatar_key}`);
    assert.equal(ours.response.status, 200);
    assert.equal(ours.response.headers.get('content-type'), 'image/png');
    assert.equal(ours.response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const meta = await sharp(ours.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 96, 96]);
    const theirs = await get(b, `/bob/avatar/96?v=${bobKey}`);
    assert.deepEqual(await centre(ours.bytes), await centre(theirs.bytes));
    const [r, g] = await centre(ours.bytes);
    assert.ok(g! > 200 && r! < 60);
    const page = await alice.get(`/remote/${remote.id}`);
    assert.match(page.text, new RegExp(`src="/remote/${remote.id}/avatar/96\\?v=${remote.avatar_key}"`));
    assert.doesNotMatch(page.text, new RegExp(`src="${b.url}`), 'never hotlinked');
    const following = await alice.get('/alice/subscriptions');
    assert.match(following.text, new RegExp(`src="/remote/${remote.id}/avatar/24\\?v=${remote.avatar_key}"`));
  });

  it('shows A’s copy beside bob’s notices on alice’s home timeline', async () => {
    const posted = await bob.post('/notice/new', { content: 'Bees are busy', returnto: '/' });
    assert.equal(posted.status, 303);
    let home = '';
    await waitFor('the notice on A', async () => (home = (await alice.get('/alice/all')).text).includes('Bees are busy'));
    const remote = await bobOnA();
    assert.match(home, new RegExp(`<img class="avatar" src="/remote/${remote.id}/avatar/48\\?v=${remote.avatar_key}" width="48" height="48" alt="">`));
  });

  it('sends bob’s edited profile to A (profileChanged -> updateProfile), escaped there', async () => {
    await bob.get('/settings/profile');
    const saved = await bob.post('/settings/profile', { fullname: 'Bob <b>Bee</b>', bio: `Keeps bees ${'🐝'.repeat(100)}`, location: 'Hive', homepage: 'https://bees.example/' });
    assert.equal(saved.status, 303, textOf(saved.text));
    let remote = await bobOnA();
    await waitFor('the update on A', async () => (remote = await bobOnA()).fullname === 'Bob <b>Bee</b>');
    assert.equal(remote.location, 'Hive');
    assert.equal(remote.homepage, 'https://bees.example/');
    assert.ok(Buffer.byteLength(remote.bio) <= 140, 'the bio arrives cut to 140 bytes');
    assert.ok(remote.bio.startsWith('Keeps bees 🐝'));
    assert.doesNotMatch(remote.bio, /\uFFFD/, 'cut on a code point boundary');
    const page = await alice.get(`/remote/${remote.id}`);
    assert.match(page.text, /Bob &lt;b&gt;Bee&lt;\/b&gt;/);
  });

  it('follows bob’s new avatar: A fetches the new picture and drops the old copy', async () => {
    const before = await bobOnA();
    const blue = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
    await uploadAvatar(bob, blue);
    let remote = before;
    await waitFor('the new copy on A', async () => {
      remote = await bobOnA();
      return remote.avatar_key !== null && remote.avatar_key !== before.avatar_key;
    });
    assert.notEqual(remote.avatar_url, before.avatar_url);
    const ours = await get(a, `/remote/${remote.id}/avatar/48?v=${remote.avatar_key}`);
    const [r, g, bl] = await centre(ours.bytes);
    assert.ok(bl! > 200 && r! < 60 && g! < 60, `blue now, got ${[r, g, bl]}`);
    assert.deepEqual(files(a).sort(), [`${remote.avatar_key}-24.png`, `${remote.avatar_key}-48.png`, `${remote.avatar_key}-96.png`]);
    const stale = await get(a, `/remote/${remote.id}/avatar/48?v=${before.avatar_key}`);
    assert.equal(stale.response.headers.get('cache-control'), 'public, max-age=300');
  });

  it('follows bob removing his avatar: A drops its copy and shows the default picture', async () => {
    const settings = await bob.get('/settings/avatar');
    assert.equal(settings.status, 200);
    assert.equal((await bob.post('/settings/avatar/delete', {})).status, 303);
    let remote = await bobOnA();
    await waitFor('A to drop the copy', async () => (remote = await bobOnA()).avatar_key === null && remote.avatar_url === null);
    await waitFor('the files to go', async () => files(a).length === 0);
    const page = await alice.get(`/remote/${remote.id}`);
    assert.match(page.text, /src="\/images\/default-avatar-96\.png"/);
  });
});

describe('a remote avatar that cannot be fetched', () => {
  let peer: http.Server;
  let peerUrl: string;
  let served = 0;

  before(async () => {
    const image = await stripedImage('png');
    peer = http.createServer((req, res) => {
      served++;
      if (req.url === '/good.png') res.writeHead(200, { 'content-type': 'image/png' }).end(image);
      else if (req.url === '/text.png') res.writeHead(200, { 'content-type': 'image/png' }).end('not an image');
      else res.writeHead(404).end('gone');
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => peer.close(() => resolve())));

  async function jobsFor(profileId: number, url: string) {
    const result = await a.runtime.ctx.db.raw(`SELECT state, retry_count FROM pgboss.job WHERE name = 'profile.avatar.fetch' AND data->>'url' = ? AND (data->>'profileId')::bigint = ?`, [url, profileId]);
    return result.rows as { state: string; retry_count: number }[];
  }

  it('leaves the profile with the default picture and keeps the job for a retry', async () => {
    const { ctx } = a.runtime;
    const fields = { nickname: 'carol', fullname: null, bio: null, location: null, homepage: null, avatarUrl: `${peerUrl}/good.png` };
    const id = await ctx.db.transaction((trx) => saveRemoteProfile(ctx, trx, `${peerUrl}/user/1`, `${peerUrl}/carol`, fields));
    await waitFor('the first copy', async () => (await ctx.db('profiles').where({ id }).first()).avatar_key !== null);
    const before = files(a).length;
    assert.equal(before, 3);
    for (const broken of [`${peerUrl}/missing.png`, `${peerUrl}/text.png`]) {
      await ctx.db.transaction((trx) => changeRemoteProfile(ctx, trx, id, { avatarUrl: broken }));
      await waitFor('the failed fetch to wait for its retry', async () => (await jobsFor(id, broken)).some((job) => job.state === 'retry'));
      const row = await ctx.db('profiles').where({ id }).first();
      assert.equal(row.avatar_key, null, 'no stale or broken picture');
      assert.equal(files(a).length, 0, 'the old copy is gone, nothing new written');
      const page = await alice.get(`/remote/${id}`);
      assert.match(page.text, /src="\/images\/default-avatar-96\.png"/);
    }
    assert.ok(served >= 3);
  });
});
