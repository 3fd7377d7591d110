// The "another server" box with someone whose server speaks only OMB 0.1 (an Ostrakon with
// ActivityPub switched off): found by handle or profile address, she is sent to his server's
// remote-subscribe step with her profile address filled in, confirms at home, and his notices
// reach her; afterwards the box tells her she reads him already.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ombProtocol } from '../../src/federation/omb/protocol.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

let a: TestServer;
let b: TestServer;
let alice: WebClient;
let bob: WebClient;

before(async () => {
  [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV }), startTestServer({ env: FEDERATION_ENV, protocols: [ombProtocol] })]);
  [alice, bob] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(b.url, 'bob')]);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

function unescape(href: string): string {
  return href.replace(/&amp;/g, '&');
}

describe('following someone whose server speaks only OMB', () => {
  const bHost = () => new URL(b.url).host;
  const next = () => `${b.url}/main/remote?nickname=bob&profile_url=${encodeURIComponent(`${a.url}/alice`)}`;

  it('finds him by handle or profile address and offers his server’s remote-subscribe step', async () => {
    assert.equal((await fetch(`${b.url}/.well-known/webfinger?resource=acct:bob@${bHost()}`)).status, 404, 'B has no ActivityPub');
    for (const handle of [`@bob@${bHost()}`, `${b.url}/bob`]) {
      const page = await alice.get(`/main/follow?handle=${encodeURIComponent(handle)}`);
      assert.equal(page.status, 200, `${handle}: ${textOf(page.text).slice(0, 400)}`);
      assert.ok(textOf(page.text).includes(`Subscribe to bob@${bHost()}?`));
      const link = /<a class="button-link" href="([^"]+)"[^>]*>([^<]+)<\/a>/.exec(page.text);
      assert.ok(link, 'a link to go on');
      assert.equal(unescape(link[1]!), next());
      assert.equal(link[2], `Continue on ${bHost()}`);
      assert.doesNotMatch(page.text, /<form method="post" action="\/main\/follow"/, 'nothing to send from here');
    }
    const posted = await alice.post('/main/follow', { handle: `${b.url}/bob` });
    assert.equal(posted.status, 303);
    assert.equal(posted.location, next(), 'posting the box goes there too');
  });

  it('subscribes her through his server and her own confirmation, and his notices reach her', async () => {
    const visitor = new WebClient(b.url); // her browser at B, where she has no account
    const form = await visitor.get(next().slice(b.url.length));
    assert.equal(form.status, 200, textOf(form.text).slice(0, 300));
    assert.ok(form.text.includes(`name="profile_url" type="url" value="${a.url}/alice"`), 'her profile address is filled in');
    const submitted = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${a.url}/alice` });
    assert.equal(submitted.status, 303, textOf(submitted.text).slice(0, 300));
    const authorize = new URL(submitted.location!);
    assert.equal(authorize.origin, a.url, 'she confirms at home');
    const asked = await alice.get(authorize.pathname + authorize.search);
    assert.equal(asked.status, 200);
    const token = /name="oauth_token" value="([^"]+)"/.exec(asked.text)![1]!;
    const answered = await alice.post('/omb/userauthorization', { oauth_token: token, decision: 'accept' });
    assert.equal(answered.status, 303);
    const callback = new URL(answered.location!);
    assert.equal((await visitor.get(callback.pathname + callback.search)).status, 303);
    assert.ok(textOf((await alice.get('/alice/subscriptions')).text).includes(`bob@${bHost()}`));

    assert.equal((await bob.post('/notice/new', { content: 'Only OMB spoken here', returnto: '/' })).status, 303);
    await waitFor('his notice at A', async () => textOf((await alice.get('/alice/all')).text).includes('Only OMB spoken here'), 20_000);
  });

  it('tells her she reads him already', async () => {
    const page = await alice.get(`/main/follow?handle=${encodeURIComponent(`@bob@${bHost()}`)}`);
    assert.equal(page.status, 409, textOf(page.text).slice(0, 300));
    assert.ok(textOf(page.text).includes(`You already subscribe to bob@${bHost()}`));
  });
});
