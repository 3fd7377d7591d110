// Our server as the listenee's server (OAuth consumer): the remote subscribe form and the callback,
// with the ways they go wrong.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FEDERATION_ENV, remoteSubscribe } from '../helpers/omb.ts';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';
import type { WebClient as Client } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let strict: TestServer; // ALLOW_PRIVATE_ADDRESSES off, as in production
let alice: Client;
let bob: Client;
let target: http.Server;
let targetConnections = 0;

const pending = (server: TestServer) => server.runtime.ctx.db('omb_pending_subscriptions');

before(async () => {
  [a, b, strict] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV }), startTestServer()]);
  alice = await registeredClient(a.url, 'alice');
  bob = await registeredClient(b.url, 'bob');
  await registeredClient(strict.url, 'zed');
  target = http.createServer((_req, res) => res.end('<html><head><meta http-equiv="X-XRDS-Location" content="/xrds"></head></html>'));
  target.on('connection', () => targetConnections++);
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  target?.closeAllConnections();
  target?.close();
  await Promise.all([a?.stop(), b?.stop(), strict?.stop()]);
});

async function submit(server: TestServer, fields: Record<string, string>) {
  const visitor = new WebClient(server.url);
  const form = await visitor.get(`/main/remote?nickname=${encodeURIComponent(fields.nickname ?? '')}`);
  const page = await visitor.post('/main/remote', fields);
  return { visitor, form, page };
}

describe('the remote subscribe form', () => {
  it('is prefilled, protected by CSRF, and lets its form redirect to another site', async () => {
    const visitor = new WebClient(b.url);
    const form = await visitor.get('/main/remote?nickname=bob&profile_url=http%3A%2F%2Fexample.org%2Fme');
    assert.equal(form.status, 200);
    assert.match(form.text, /name="nickname" value="bob"/);
    assert.match(form.text, /name="profile_url" type="url" value="http:\/\/example.org\/me"/);
    assert.match(form.headers.get('content-security-policy') ?? '', /form-action 'self' http: https:/);
    const forged = await visitor.post('/main/remote', { _csrf: 'forged', nickname: 'bob', profile_url: `${a.url}/alice` });
    assert.equal(forged.status, 403);
    assert.equal((await pending(b)).length, 0);
  });

  it('tells a signed-in person to subscribe locally', async () => {
    const page = await bob.get('/main/remote?nickname=bob');
    assert.match(textOf(page.text), /local subscription/);
  });

  const failures: [string, () => Record<string, string>, number, RegExp][] = [
    ['an invalid URL', () => ({ nickname: 'bob', profile_url: 'not a url' }), 400, /Invalid profile URL/],
    ['a javascript: URL', () => ({ nickname: 'bob', profile_url: 'javascript:alert(1)' }), 400, /Invalid profile URL/],
    ['an unknown nickname', () => ({ nickname: 'nobody', profile_url: `${a.url}/alice` }), 404, /nobody by that nickname/],
    ['a page without an XRDS document', () => ({ nickname: 'bob', profile_url: `${a.url}/` }), 400, /no YADIS/],
    ['a missing profile', () => ({ nickname: 'bob', profile_url: `${a.url}/ghost` }), 400, /status 404/],
    ['a profile on this same site', () => ({ nickname: 'bob', profile_url: `${b.url}/bob` }), 400, /on this site/],
  ];
  for (const [what, fields, status, message] of failures) {
    it(`re-shows the form with a message for ${what}, and stores nothing`, async () => {
      const { page } = await submit(b, fields());
      assert.equal(page.status, status, textOf(page.text));
      assert.match(textOf(page.text), message);
      assert.match(page.text, /<form method="post" action="\/main\/remote"/);
      assert.equal((await pending(b)).length, 0);
    });
  }

  it('never connects to loopback, private or metadata addresses without ALLOW_PRIVATE_ADDRESSES', async () => {
    const port = (target.address() as AddressInfo).port;
    for (const url of [`http://127.0.0.1:${port}/alice`, `http://localhost:${port}/alice`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/alice', 'http://[::1]/alice']) {
      const { page } = await submit(strict, { nickname: 'zed', profile_url: url });
      assert.equal(page.status, 400, url);
      assert.match(textOf(page.text), /refused to connect/);
    }
    assert.equal(targetConnections, 0);
    assert.equal((await pending(strict)).length, 0);
  });
});

describe('the callback', () => {
  it('refuses a token from another browser session', async () => {
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const started = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${a.url}/alice` });
    assert.equal(started.status, 303);
    const token = new URL(started.location!).searchParams.get('oauth_token')!;
    const stranger = new WebClient(b.url);
    const page = await stranger.get(`/omb/finishremotesubscribe?oauth_token=${token}&omb_version=${encodeURIComponent('http://openmicroblogging.org/protocol/0.1')}&omb_listener_nickname=alice&omb_listener_profile=${encodeURIComponent(`${a.url}/alice`)}`);
    assert.equal(page.status, 400);
    assert.match(textOf(page.text), /Not expecting this response/);
    assert.equal((await b.runtime.ctx.db('omb_remote_listeners')).length, 0);
    await pending(b).delete();
  });

  it('ends a rejected subscription without subscribing anyone', async () => {
    const { finish } = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`, 'reject');
    assert.equal(finish.status, 200);
    assert.match(textOf(finish.text), /not authorized/);
    assert.equal((await b.runtime.ctx.db('subscriptions')).length, 0);
    assert.equal((await pending(b)).length, 0);
  });

  it('subscribes after acceptance; a second run is refused at home while subscribed, and renews the credentials after unsubscribing', async () => {
    const first = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
    assert.equal(first.finish.status, 303);
    const [before] = await b.runtime.ctx.db('omb_remote_listeners');
    const [aToken] = await a.runtime.ctx.db('omb_access_tokens');

    // While subscribed, A keeps the credentials B pushes with: a new authorization could hand them to anyone.
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const submitted = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${a.url}/alice` });
    assert.equal(submitted.status, 303, textOf(submitted.text));
    const authorizeUrl = new URL(submitted.location!);
    const refused = await alice.get(authorizeUrl.pathname + authorizeUrl.search);
    assert.equal(refused.status, 409);
    assert.match(textOf(refused.text), /already subscribe to bob@/);
    assert.deepEqual(await a.runtime.ctx.db('omb_access_tokens'), [aToken]);
    assert.deepEqual(await b.runtime.ctx.db('omb_remote_listeners'), [before]);

    const bobOnA = await a.runtime.ctx.db('profiles').where({ nickname: 'bob', is_local: false }).first();
    await alice.get(`/remote/${bobOnA.id}`);
    assert.equal((await alice.post(`/remote/${bobOnA.id}/unsubscribe`, {})).status, 303);
    const second = await remoteSubscribe(b, 'bob', alice, `${a.url}/alice`);
    assert.equal(second.finish.status, 303);
    const listeners = await b.runtime.ctx.db('omb_remote_listeners');
    assert.equal(listeners.length, 1);
    assert.notEqual(listeners[0].token, before.token, 'B replaced its credentials with the new ones');
    assert.equal((await a.runtime.ctx.db('omb_access_tokens')).length, 1);
    const replay = await second.visitor.get(second.callbackPath);
    assert.equal(replay.status, 400, 'a callback works once');
    assert.equal((await b.runtime.ctx.db('omb_remote_listeners')).length, 1);
  });
});
