// Profile settings: the OMB limits on each field, escaping on the profile page, nothing saved on
// bad input, the profile.distribute job, and the permanent /user/:id identifier.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import type { WebClient as Client } from '../helpers/web-client.ts';

let server: TestServer;
let alice: Client;

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
});
after(() => server.stop());

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

const blank = { fullname: '', bio: '', location: '', homepage: '' };

async function row() {
  return server.runtime.ctx.db('profiles').where({ nickname: 'alice', is_local: true }).first();
}

async function distributeJobs(): Promise<number> {
  const result = await server.runtime.ctx.db.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'profile.distribute'`);
  return result.rows[0].n as number;
}

async function save(fields: Partial<typeof blank>) {
  await alice.get('/settings/profile');
  return alice.post('/settings/profile', { ...blank, ...fields });
}

describe('profile settings', () => {
  it('sends visitors to the login page', async () => {
    const page = await new WebClient(server.url).get('/settings/profile');
    assert.equal(page.status, 303);
    assert.match(page.location!, /^\/main\/login/);
  });

  it('is linked from the navigation and the other settings pages', async () => {
    const home = await alice.get('/');
    assert.match(home.text, /href="\/settings\/profile"/);
    const password = await alice.get('/settings/password');
    assert.match(password.text, /href="\/settings\/profile"/);
    assert.match(password.text, /href="\/settings\/avatar"/);
  });

  it('saves every field, queues profile.distribute, and shows each escaped on the profile page', async () => {
    const jobsBefore = await distributeJobs();
    const page = await save({
      fullname: '<script>alert("name")</script>',
      bio: 'Bees & <script>alert("bio")</script>',
      location: '<script>alert("where")</script>',
      homepage: 'https://example.org/?q=<script>',
    });
    assert.equal(page.status, 303, textOf(page.text));
    assert.equal(page.location, '/settings/profile?saved=1');
    const saved = await row();
    assert.equal(saved.fullname, '<script>alert("name")</script>');
    assert.equal(saved.bio, 'Bees & <script>alert("bio")</script>');
    assert.equal(saved.homepage, 'https://example.org/?q=<script>');
    assert.equal(await distributeJobs(), jobsBefore + 1, 'remote subscribers are told');
    const profile = await alice.get('/alice');
    assert.doesNotMatch(profile.text, /<script>alert/);
    assert.match(profile.text, /&lt;script&gt;alert\(&#34;name&#34;\)&lt;\/script&gt;/);
    assert.match(profile.text, /Bees &amp; &lt;script&gt;alert\(&#34;bio&#34;\)/);
    assert.match(profile.text, /&lt;script&gt;alert\(&#34;where&#34;\)/);
    assert.match(profile.text, /href="https:\/\/example\.org\/\?q=&lt;script&gt;"/);
    const form = await alice.get('/settings/profile?saved=1');
    assert.match(textOf(form.text), /Your profile has been saved/);
    assert.doesNotMatch(form.text, /<script>alert/);
  });

  it('accepts each field at its limit: 255 bytes, and a bio of 140 code points', async () => {
    const fullname = `${'é'.repeat(127)}a`; // 255 bytes
    const bio = '😀'.repeat(140); // 140 code points, 560 bytes
    const location = 'x'.repeat(255);
    const homepage = `https://example.org/${'p'.repeat(255 - 'https://example.org/'.length)}`;
    const page = await save({ fullname, bio, location, homepage });
    assert.equal(page.status, 303, textOf(page.text));
    const saved = await row();
    assert.deepEqual([saved.fullname, saved.bio, saved.location, saved.homepage], [fullname, bio, location, homepage]);
  });

  const refusals: [string, Partial<typeof blank>, RegExp][] = [
    ['a full name of 256 bytes', { fullname: 'é'.repeat(128) }, /full name can be at most 255 bytes/],
    ['a bio of 141 code points', { bio: '😀'.repeat(141) }, /bio can be at most 140 characters/],
    ['a location of 256 bytes', { location: 'y'.repeat(256) }, /location can be at most 255 bytes/],
    ['a homepage of 256 bytes', { homepage: `https://example.org/${'q'.repeat(256 - 20)}` }, /homepage can be at most 255 bytes/],
    ['a javascript: homepage', { homepage: 'javascript:alert(1)' }, /must be a web address starting with http/],
    ['a data: homepage', { homepage: 'data:text/html,<script>alert(1)</script>' }, /must be a web address/],
    ['an ftp homepage', { homepage: 'ftp://example.org/' }, /must be a web address/],
    ['a homepage that is no URL', { homepage: 'example dot org' }, /must be a web address/],
    ['a control character in the name', { fullname: 'a\u0007b' }, /cannot contain line breaks or control characters/],
  ];
  for (const [what, fields, message] of refusals) {
    it(`refuses ${what}: 400, the form again with the reason and what was typed, nothing saved`, async () => {
      const before = await row();
      const jobsBefore = await distributeJobs();
      const typed = { fullname: 'Typed <Name>', bio: 'Typed bio', location: 'Typed place', homepage: 'https://typed.example/', ...fields };
      const page = await save(typed);
      assert.equal(page.status, 400);
      assert.match(textOf(page.text), message);
      assert.match(page.text, /aria-invalid="true"/);
      for (const [name, value] of Object.entries(typed)) {
        const shown = name === 'bio' ? `>${escapeHtml(value)}</textarea>` : `name="${name}" type="${name === 'homepage' ? 'url' : 'text'}"`;
        assert.ok(page.text.includes(shown), `the form shows the ${name} field`);
        if (name !== 'bio') assert.ok(page.text.includes(`value="${escapeHtml(value)}"`), `the typed ${name} is kept`);
      }
      assert.doesNotMatch(page.text, /<script>alert/);
      assert.deepEqual(await row(), before, 'nothing changed');
      assert.equal(await distributeJobs(), jobsBefore, 'nothing sent');
    });
  }

  it('clears fields left empty', async () => {
    const page = await save({ fullname: 'Alice' });
    assert.equal(page.status, 303);
    const saved = await row();
    assert.deepEqual([saved.fullname, saved.bio, saved.location, saved.homepage], ['Alice', null, null, null]);
  });

  it('refuses a post without the CSRF token', async () => {
    const page = await alice.post('/settings/profile', { ...blank, fullname: 'Forged', _csrf: null });
    assert.equal(page.status, 403);
    assert.equal((await row()).fullname, 'Alice');
  });
});

describe('/user/:id', () => {
  it('redirects permanently to the profile page', async () => {
    const id = (await row()).id;
    const page = await new WebClient(server.url).get(`/user/${id}`);
    assert.equal(page.status, 301);
    assert.equal(page.location, `${server.url}/alice`);
  });

  it('is 404 for unknown and non-numeric ids, and for remote profiles', async () => {
    const [remote] = await server.runtime.ctx.db('profiles').insert({ nickname: 'far', is_local: false, uri: 'https://far.example/user/1', profile_url: 'https://far.example/far' }).returning('id');
    for (const id of ['99999', 'abc', '0', '1e3', '-1', String(remote.id), '123456789012345678901']) {
      const page = await new WebClient(server.url).get(`/user/${id}`);
      assert.equal(page.status, 404, `/user/${id}`);
    }
  });
});
