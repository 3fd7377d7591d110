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
