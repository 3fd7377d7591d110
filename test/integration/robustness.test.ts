import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let server: TestServer;
let alice: WebClient;
const noticeCount = async () => Number((await server.runtime.ctx.db('notices').count({ n: '*' }))[0]!.n);

before(async () => {
  server = await startTestServer();
  alice = await registeredClient(server.url, 'alice');
});
after(() => server.stop());

describe('hostile and malformed requests', () => {
  it('answers an oversized body with 413 and writes nothing', async () => {
    const before = await noticeCount();
    const page = await alice.post('/notice/new', { content: 'x'.repeat(200_000) });
    assert.equal(page.status, 413);
    assert.match(textOf(page.text), /too large/);
    assert.equal(await noticeCount(), before);
  });

  it('answers a body that is not a form with a 4xx', async () => {
    const json = await alice.postRaw('/notice/new', JSON.stringify({ content: 'hi', _csrf: alice.csrfToken }), 'application/json');
    assert.equal(json.status, 403, 'without a form body there is no CSRF token');
    const garbage = await alice.postRaw('/notice/new', Buffer.from([0xff, 0xfe, 0x00, 0x25]), 'application/x-www-form-urlencoded');
    assert.ok(garbage.status >= 400 && garbage.status < 500, String(garbage.status));
  });

  it('answers unknown paths with a 404 page, and state changes without a token with 403', async () => {
    const page = await new WebClient(server.url).get('/definitely/not/here');
    assert.equal(page.status, 404);
    assert.match(textOf(page.text), /Not found/);
    const put = await fetch(`${server.url}/notice/1`, { method: 'PUT' });
    assert.equal(put.status, 403);
  });

  it('sets security headers on every page', async () => {
    const page = await new WebClient(server.url).get('/');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /img-src 'self' data:;/, 'pictures come from this site only');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-powered-by'), null);
  });

  it('serves the stylesheet and images with a cache lifetime, and 404 pages for missing files', async () => {
    const visitor = new WebClient(server.url);
    const css = await visitor.get('/css/site.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.match(css.headers.get('cache-control') ?? '', /max-age=86400/);
    const image = await visitor.get('/images/default-avatar-48.png');
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    for (const missing of ['/css/missing.css', '/css/../package.json', '/images/', '/site.css']) {
      const page = await visitor.get(missing);
      assert.equal(page.status, 404, missing);
      assert.doesNotMatch(page.text, /"name": "ostrakon"/, missing);
    }
  });

  it('does not start a session for a visitor who only reads', async () => {
    const page = await new WebClient(server.url).get('/alice');
    assert.equal(page.status, 200);
    assert.equal(page.headers.getSetCookie().length, 0);
  });

  it('never answers with a stack trace or a 500 to odd paths and queries', async () => {
    const visitor = new WebClient(server.url);
    const paths = ['/%00', '/alice%00', '/notice/%00', '/tag/%00', '/tag/' + 'a'.repeat(5000), '/?before[]=1', '/?before=%00', '/conversation/1%20OR%201=1', "/tag/'%20OR%201=1--"];
    for (const path of paths) {
      const page = await visitor.get(path);
      assert.ok(page.status < 500, `${path} answered ${page.status}`);
      assert.doesNotMatch(page.text, /at .*\.ts:\d+/);
    }
  });
});
