// A server that may not reach private addresses (ALLOW_PRIVATE_ADDRESSES unset) refuses IPv6 and
// other spellings of loopback in every URL a visitor or a peer can hand it: the profile URL of a
// remote subscription, and a remote person's avatar. A real listener on 127.0.0.1 records that it
// is never contacted.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { saveRemoteProfile } from '../../src/domain/remote-profiles.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let listener: http.Server;
let port: number;
const contacts: string[] = [];

before(async () => {
  listener = http.createServer((req, res) => {
    contacts.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/xrds+xml' }).end('<XRDS/>');
  });
  listener.on('connection', () => contacts.push('connection'));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  a = await startTestServer({ env: { DELIVERY_RETRY_SECONDS: '1' } });
  assert.equal(a.config.allowPrivateAddresses, false);
  await registeredClient(a.url, 'alice');
});
after(async () => {
  listener?.closeAllConnections();
  listener?.close();
  await a?.stop();
});

// The same loopback listener, spelled so that only WHATWG URL parsing or IPv4-in-IPv6 decoding shows it.
const spellings = () => [
  `http://[::127.0.0.1]:${port}/bob`,
  `http://[::ffff:7f00:1]:${port}/bob`,
  `http://[::ffff:0:7f00:1]:${port}/bob`,
  `http://[64:ff9b::7f00:1]:${port}/bob`,
  `http://[2002:7f00:1::]:${port}/bob`,
  `http://0x7f.1:${port}/bob`,
  `http://2130706433:${port}/bob`,
  `http://127.1:${port}/bob`,
];

describe('outbound requests to disguised loopback addresses', () => {
  it('a remote subscription with such a profile URL is refused with the reason, and nothing is contacted or stored', async () => {
    for (const profileUrl of spellings()) {
      const visitor = new WebClient(a.url);
      await visitor.get('/main/remote?nickname=alice');
      const page = await visitor.post('/main/remote', { nickname: 'alice', profile_url: profileUrl });
      assert.equal(page.status, 400, `${profileUrl}: ${textOf(page.text)}`);
      assert.match(textOf(page.text), /refused to connect to .*(loopback|private)/, profileUrl);
    }
    assert.deepEqual(contacts, [], 'the listener on 127.0.0.1 was never contacted');
    assert.equal(Number((await a.runtime.ctx.db('omb_pending_subscriptions').count({ n: '*' }))[0]!.n), 0);
  });

  it('an avatar at such a URL is never fetched: the job fails with the refusal', async () => {
    const { ctx } = a.runtime;
    const avatarUrl = `http://[::127.0.0.1]:${port}/avatar.png`;
    const fields = { nickname: 'mallory', fullname: null, bio: null, location: null, homepage: null, avatarUrl };
    const id = await ctx.db.transaction((trx) => saveRemoteProfile(ctx, trx, 'http://peer.example/user/7', 'http://peer.example/mallory', fields));
    const job = async () =>
      (await ctx.db.raw(`SELECT state, output FROM pgboss.job WHERE name = 'profile.avatar.fetch' AND (data->>'profileId')::bigint = ?`, [id])).rows[0] as
        | { state: string; output: { message?: string } | null }
        | undefined;
    await waitFor('the avatar fetch to fail', async () => (await job())?.state === 'retry');
    assert.match((await job())!.output?.message ?? '', /refused to connect to ::7f00:1: .*loopback/);
    assert.equal((await ctx.db('profiles').where({ id }).first()).avatar_key, null);
    assert.deepEqual(contacts, [], 'the listener on 127.0.0.1 was never contacted');
  });
});
