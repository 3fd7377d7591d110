import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { textOf, WebClient } from '../helpers/web-client.ts';

// One server set up as a closed site behind an https reverse proxy, with a tight login limit.
let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: { REGISTRATION: 'closed', TRUST_PROXY: 'loopback', SITE_NAME: 'Closed <Club>' },
    loginLimits: { perIp: 3, perAccount: 100, windowMs: 60_000 },
  });
});
after(() => server.stop());

describe('a closed site behind a proxy', () => {
  it('refuses registration and hides the link', async () => {
    const client = new WebClient(server.url);
    const home = await client.get('/');
    assert.doesNotMatch(home.text, /href="\/main\/register"/);
    assert.match(home.text, /<title>Public timeline · Closed &lt;Club&gt;<\/title>/);
    assert.equal((await client.get('/main/register')).status, 403);
    const page = await client.post('/main/register', { nickname: 'mallory', password: 'secret-password' });
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /Registration is closed/);
    assert.equal(Number((await server.runtime.ctx.db('users').count({ n: '*' }))[0]!.n), 0);
  });

  it('throttles logins per address, whatever the account', async () => {
    for (let i = 0; i < 3; i++) {
      const page = await new WebClient(server.url).post('/main/login', { nickname: `someone${i}`, password: 'wrong-password' });
      assert.equal(page.status, 401);
    }
    const blocked = await new WebClient(server.url).post('/main/login', { nickname: 'another', password: 'wrong-password' });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  });
});

describe('cookies behind an https proxy', () => {
  it('marks the session cookie Secure when the site is served over https', async () => {
    const https = await startTestServer({ env: { PUBLIC_URL: 'https://social.example', TRUST_PROXY: 'loopback' } });
    try {
      const response = await fetch(`${https.url}/main/login`, { headers: { 'x-forwarded-proto': 'https' } });
      const cookie = response.headers.getSetCookie().join('\n');
      assert.match(cookie, /ostrakon\.sid=/);
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /HttpOnly/);
      assert.match(response.headers.get('strict-transport-security') ?? '', /max-age/);
      const plain = await fetch(`${server.url}/main/login`);
      assert.doesNotMatch(plain.headers.getSetCookie().join('\n'), /Secure/);
      assert.equal(plain.headers.get('strict-transport-security'), null);
    } finally {
      await https.stop();
    }
  });
});
