// Our consumer side against a scripted StatusNet-style provider: discovery through a meta tag,
// endpoints with query strings, a token response without omb_version, a callback ending in "&".
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signatureMatches } from '../../src/federation/omb/oauth.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const V = 'http://openmicroblogging.org/protocol/0.1';

let b: TestServer;
let sn: http.Server;
let base: string;
const calls: { action: string; params: Record<string, string>; verified: boolean }[] = [];

function xrds(root: string): string {
  const service = (uri: string, type: string, extra = '') =>
    `<Service><URI>${uri.replace(/&/g, '&amp;')}</URI><Type>${type}</Type><Type>http://oauth.net/core/1.0/parameters/post-body</Type><Type>http://oauth.net/core/1.0/signature/HMAC-SHA1</Type>${extra}</Service>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<XRDS xmlns="xri://$xrds">
<XRD xmlns="xri://$xrd*($v*2.0)" xmlns:simple="http://xrds-simple.net/core/1.0" xml:id="oauth" version="2.0"><Type>xri://$xrds*simple</Type>
${service(`${root}/index.php?action=requesttoken`, 'http://oauth.net/core/1.0/endpoint/request', `<LocalID>${root}/user/4599</LocalID>`)}
${service(`${root}/index.php?action=userauthorization`, 'http://oauth.net/core/1.0/endpoint/authorize')}
${service(`${root}/index.php?action=accesstoken`, 'http://oauth.net/core/1.0/endpoint/access')}
</XRD>
<XRD xmlns="xri://$xrd*($v*2.0)" xmlns:simple="http://xrds-simple.net/core/1.0" xml:id="omb" version="2.0"><Type>xri://$xrds*simple</Type>
<Service><URI>${root}/index.php?action=postnotice</URI><Type>http://openmicroblogging.org/protocol/0.1/postNotice</Type></Service>
<Service><URI>${root}/index.php?action=updateprofile</URI><Type>http://openmicroblogging.org/protocol/0.1/updateProfile</Type></Service>
</XRD>
<XRD xmlns="xri://$xrd*($v*2.0)" version="2.0">
<Service><URI>#oauth</URI><Type>http://oauth.net/discovery/1.0</Type></Service>
<Service><URI>#omb</URI><Type>http://openmicroblogging.org/protocol/0.1</Type></Service>
</XRD>
</XRDS>`;
}

const SECRETS: Record<string, string> = { requesttoken: '', accesstoken: 'c0ffee00deadbeef0123456789abcdef', postnotice: 'a1a2a3a4b5b6b7b8c9c0d1d2e3e4f5f6' };

before(async () => {
  sn = http.createServer((req, res) => {
    const url = new URL(req.url!, base);
    if (req.method === 'GET' && url.pathname === '/alice') {
      // StatusNet 0.7: no content negotiation; the header is there, but we use only the meta tag here.
      return res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><head><meta http-equiv="X-XRDS-Location" content="${base}/index.php?action=xrds&amp;nickname=alice"></head><body>alice</body></html>`);
    }
    if (req.method === 'GET' && url.pathname === '/index.php' && url.searchParams.get('action') === 'xrds') {
      return res.writeHead(200, { 'content-type': 'text/xml' }).end(xrds(base));
    }
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const action = params.action ?? '';
      const verified = req.url === '/index.php' && signatureMatches('POST', `${base}/index.php`, params, SECRETS[action] ?? 'x');
      calls.push({ action, params, verified });
      if (action === 'requesttoken') return res.end('oauth_token=8d3b5f2e9a1c4b7d6e0f1a2b3c4d5e6f&oauth_token_secret=c0ffee00deadbeef0123456789abcdef');
      if (action === 'accesstoken') return res.end('oauth_token=5e2d7c9b1a3f4e6d8c0b2a4f6e8d0c1b&oauth_token_secret=a1a2a3a4b5b6b7b8c9c0d1d2e3e4f5f6');
      if (action === 'postnotice') return res.end(`omb_version=${V}`);
      res.writeHead(400).end('unexpected');
    });
  });
  await new Promise<void>((resolve) => sn.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(sn.address() as AddressInfo).port}`;
  b = await startTestServer({ env: FEDERATION_ENV });
});
after(async () => {
  sn?.closeAllConnections();
  sn?.close();
  await b?.stop();
});

describe('subscribing a StatusNet user to one of ours', () => {
  it('completes the dance with StatusNet’s URL forms and answers, then pushes notices there', async () => {
    const bob = await registeredClient(b.url, 'bob');
    const visitor = new WebClient(b.url);
    await visitor.get('/main/remote?nickname=bob');
    const started = await visitor.post('/main/remote', { nickname: 'bob', profile_url: `${base}/alice` });
    assert.equal(started.status, 303, textOf(started.text));

    const requested = calls.find((c) => c.action === 'requesttoken')!;
    assert.ok(requested.verified, 'the request-token call is signed for the URL without its query');
    assert.equal(requested.params.omb_listener, `${base}/user/4599`);
    assert.equal(requested.params.omb_version, V);

    const authorize = new URL(started.location!);
    assert.equal(authorize.origin + authorize.pathname, `${base}/index.php`);
    assert.deepEqual(authorize.searchParams.getAll('action'), ['userauthorization'], 'the endpoint’s own pair is kept exactly once');
    const query = Object.fromEntries(authorize.searchParams);
    assert.ok(signatureMatches('GET', `${base}/index.php`, query, 'c0ffee00deadbeef0123456789abcdef'), 'the redirect is signed with the request token');
    assert.equal(query.omb_listenee_nickname, 'bob');
    assert.equal(query.omb_listenee_license, 'http://creativecommons.org/licenses/by/3.0/');
    assert.equal(query.omb_listenee_profile, `${b.url}/bob`);
    assert.match(query.omb_listenee!, new RegExp(`^${b.url}/user/\\d+$`));
    assert.equal(query.omb_listenee_bio, undefined, 'empty fields are left out');

    // The StatusNet user accepts; StatusNet 0.9 ends the callback with a dangling "&".
    const callback = `${query.oauth_callback}?oauth_token=${query.oauth_token}&omb_version=${encodeURIComponent(V)}&omb_listener=${encodeURIComponent(`${base}/user/9999`)}&omb_listener_nickname=alice&omb_listener_profile=${encodeURIComponent(`${base}/alice`)}&omb_listener_fullname=Alice%20%3Cb%3ESN%3C%2Fb%3E&`;
    const finished = await visitor.get(callback);
    assert.equal(finished.status, 303, textOf(finished.text));
    const exchanged = calls.find((c) => c.action === 'accesstoken')!;
    assert.ok(exchanged.verified, 'the access-token call is signed with the request token');
    const listener = await b.runtime.ctx.db('profiles').where({ is_local: false }).first();
    assert.equal(listener.uri, `${base}/user/4599`, 'the identifier is the discovered one, not the callback’s');
    assert.equal(listener.fullname, 'Alice <b>SN</b>');
    const subscribers = await bob.get('/bob/subscribers');
    assert.match(subscribers.text, /Alice &lt;b&gt;SN&lt;\/b&gt;/);

    await bob.post('/notice/new', { content: 'Hello, StatusNet', returnto: '/' });
    await waitFor('the push', async () => calls.some((c) => c.action === 'postnotice'));
    const push = calls.find((c) => c.action === 'postnotice')!;
    assert.ok(push.verified, 'the push is signed with the access token');
    assert.equal(push.params.omb_notice_content, 'Hello, StatusNet');
    assert.equal(push.params.oauth_token, '5e2d7c9b1a3f4e6d8c0b2a4f6e8d0c1b');
  });
});
