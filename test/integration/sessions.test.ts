import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient } from '../helpers/web-client.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const expiry = async () => ((await server.runtime.ctx.db('sessions').first('expire')) as { expire: Date }).expire.getTime();
const rewind = () => server.runtime.ctx.db.raw(`UPDATE sessions SET expire = expire - interval '1 day'`);

describe('session expiry', () => {
  it('moves a session’s expiry forward on use, but writes it at most once in ten minutes, not on every page', async () => {
    const client = await registeredClient(server.url, 'reader');
    await rewind();
    const rewound = await expiry();
    assert.equal((await client.get('/reader/all')).status, 200);
    const touched = await expiry();
    assert.ok(touched > rewound + 12 * 3600 * 1000, 'the first page view extends the session');

    await rewind();
    const again = await expiry();
    for (const path of ['/', '/reader', '/reader/all']) {
      const page = await client.get(path);
      assert.equal(page.status, 200);
      assert.match(page.text, /Log out/, 'still signed in');
    }
    assert.equal(await expiry(), again, 'no write to the session table for plain page views');
  });
});

const sessionRows = async () => Number(((await server.runtime.ctx.db('sessions').count({ n: '*' }).first()) as { n: string | number }).n);
const anonymous = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });

describe('sessions only where a form needs one', () => {
  it('an anonymous timeline view sets no cookie and writes no session row', async () => {
    await registeredClient(server.url, 'shown');
    const rows = await sessionRows();
    for (const path of ['/', '/shown', '/shown/all', '/tags', '/atom', '/omb/finishremotesubscribe']) {
      const page = await anonymous(path);
      assert.equal(page.status, 200, path);
      await page.text();
      assert.deepEqual(page.headers.getSetCookie(), [], `${path} sets no cookie`);
    }
    assert.equal(await sessionRows(), rows, 'no session row written');
  });

  for (const path of ['/main/login', '/main/register', '/main/recoverpassword', '/main/remote?nickname=shown&profile_url=']) {
    it(`an anonymous visit to ${path} gets a session and a form token that the check accepts, and only with its cookie`, async () => {
      const rows = await sessionRows();
      const page = await anonymous(path);
      const text = await page.text();
      const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
      const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      assert.ok(token, 'the form carries a token');
      assert.ok(cookie.startsWith('ostrakon.sid='), 'the page sets the session cookie');
      assert.equal(await sessionRows(), rows + 1, 'the session holding the token is saved');
      const action = path.split('?')[0]!;
      const post = (headers: Record<string, string>, csrf: string) =>
        anonymous(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ _csrf: csrf }) });
      assert.equal((await post({}, token!)).status, 403, 'the token without its session is refused');
      assert.equal((await post({ cookie }, 'not-the-token')).status, 403, 'the session with another token is refused');
      assert.notEqual((await post({ cookie }, token!)).status, 403, 'the token with its session passes the check');
    });
  }
});
