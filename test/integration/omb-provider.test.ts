// Our server as the listener's server (OAuth provider): discovery, tokens, the authorization page,
// postNotice and updateProfile, driven over HTTP by a scripted peer that signs like StatusNet.
import { pino } from 'pino';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeForm, signRequest } from '../../src/federation/omb/oauth.ts';
import type { Params } from '../../src/federation/omb/oauth.ts';
import { parseXrds } from '../../src/federation/omb/xrds.ts';
import { OMB_CLEANUP_JOB, ombJobDefinitions } from '../../src/federation/omb/jobs.ts';
import { REQUEST_TOKENS_PER_ADDRESS } from '../../src/federation/omb/routes.ts';
import { FEDERATION_ENV } from '../helpers/omb.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { registeredClient, textOf, WebClient } from '../helpers/web-client.ts';

const V = 'http://openmicroblogging.org/protocol/0.1';
const LICENSE = 'http://creativecommons.org/licenses/by/3.0/';
const PEER = 'http://peer.example/';
const OTHER_PEER = 'http://other.example/';

let a: TestServer;
let alice: WebClient;
let carol: WebClient;
let aliceUri: string;
const db = () => a.runtime.ctx.db;
const count = async (table: string) => Number((await db()(table).count({ n: '*' }))[0]!.n);

type Token = { key: string; secret: string };

async function send(path: string, params: Params, options: { token?: Token; consumerKey?: string; timestamp?: number; nonce?: string } = {}) {
  const signed = signRequest({ method: 'POST', url: `${a.url}${path}`, consumerKey: options.consumerKey ?? PEER, token: options.token, params, timestamp: options.timestamp, nonce: options.nonce });
  return sendRaw(path, signed.params);
}

async function sendRaw(path: string, params: Params | string, headers: Record<string, string> = {}) {
  const response = await fetch(`${a.url}${path}`, {
    method: 'POST',
    body: typeof params === 'string' ? params : encodeForm(params),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
}

function tokenOf(body: string): Token {
  const params = new URLSearchParams(body);
  return { key: params.get('oauth_token')!, secret: params.get('oauth_token_secret')! };
}

function listenee(nickname: string, host = 'peer.example'): Params {
  return {
    omb_listenee: `http://${host}/user/${nickname}`,
    omb_listenee_profile: `http://${host}/${nickname}`,
    omb_listenee_nickname: nickname,
    omb_listenee_license: LICENSE,
  };
}

function authorizePath(token: Token, extra: Params, consumerKey = PEER): string {
  const signed = signRequest({ method: 'GET', url: `${a.url}/omb/userauthorization`, consumerKey, token, params: { oauth_callback: `${consumerKey}finish?action=finishremotesubscribe`, omb_version: V, omb_listener: aliceUri, ...extra } });
  return `/omb/userauthorization?${encodeForm(signed.params)}`;
}

// The whole dance for alice, as a peer with `consumerKey` publishing `profile`.
async function subscribeAlice(profile: Params, consumerKey = PEER): Promise<Token> {
  const requested = await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V }, { consumerKey });
  assert.equal(requested.status, 200, requested.body);
  const requestToken = tokenOf(requested.body);
  await alice.get(authorizePath(requestToken, profile, consumerKey));
  const accepted = await alice.post('/omb/userauthorization', { oauth_token: requestToken.key, decision: 'accept' });
  assert.equal(accepted.status, 303, textOf(accepted.text));
  const exchanged = await send('/omb/accesstoken', { omb_version: V }, { token: requestToken, consumerKey });
  assert.equal(exchanged.status, 200, exchanged.body);
  return tokenOf(exchanged.body);
}

before(async () => {
  a = await startTestServer({ env: FEDERATION_ENV });
  alice = await registeredClient(a.url, 'alice');
  carol = await registeredClient(a.url, 'carol');
  aliceUri = `${a.url}/user/${(await db()('profiles').where({ nickname: 'alice' }).first()).id}`;
});
after(() => a?.stop());

describe('discovery of a local user', () => {
  it('advertises the XRDS document by header, meta tag and content negotiation', async () => {
    const page = await fetch(`${a.url}/alice`);
    const html = await page.text();
    assert.equal(page.headers.get('x-xrds-location'), `${a.url}/alice/xrds`);
    assert.match(page.headers.get('vary') ?? '', /Accept/);
    assert.match(html, new RegExp(`<meta http-equiv="X-XRDS-Location" content="${a.url}/alice/xrds">`));
    const head = await fetch(`${a.url}/alice`, { method: 'HEAD' });
    assert.equal(head.headers.get('x-xrds-location'), `${a.url}/alice/xrds`);
    const missing = await fetch(`${a.url}/nobody-here`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-xrds-location'), null, 'nothing advertised for a person who does not exist');
    assert.doesNotMatch(await missing.text(), /X-XRDS-Location/);
    const negotiated = await fetch(`${a.url}/alice`, { headers: { accept: 'application/xrds+xml, text/html;q=0.3, application/xhtml+xml;q=0.5' } });
    assert.equal(negotiated.headers.get('content-type'), 'application/xrds+xml; charset=utf-8');
    assert.match(negotiated.headers.get('vary') ?? '', /Accept/);
    const services = parseXrds(await negotiated.text());
    assert.deepEqual(services, {
      requestToken: `${a.url}/omb/requesttoken`,
      authorize: `${a.url}/omb/userauthorization`,
      accessToken: `${a.url}/omb/accesstoken`,
      postNotice: `${a.url}/omb/postnotice`,
      updateProfile: `${a.url}/omb/updateprofile`,
      localId: aliceUri,
    });
    const direct = await fetch(`${a.url}/alice/xrds`);
    assert.equal(direct.status, 200);
    assert.deepEqual(parseXrds(await direct.text()), services);
    assert.equal((await fetch(`${a.url}/nobody/xrds`)).status, 404);
    const identifier = await fetch(aliceUri, { redirect: 'manual' });
    assert.equal(identifier.status, 301, "the identifier URL redirects permanently");
    assert.equal(identifier.headers.get('location'), `${a.url}/alice`);
  });
});

describe('request tokens', () => {
  it('issues one for a signed request, with the exact StatusNet-readable body', async () => {
    const before = await count('omb_request_tokens');
    const response = await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V });
    assert.equal(response.status, 200, response.body);
    assert.match(response.type, /^text\/plain/);
    assert.match(response.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}&omb_version=http%3A%2F%2Fopenmicroblogging\.org%2Fprotocol%2F0\.1$/);
    assert.equal(await count('omb_request_tokens'), before + 1);
  });

  it('accepts the OAuth parameters in an Authorization header', async () => {
    const signed = signRequest({ method: 'POST', url: `${a.url}/omb/requesttoken`, consumerKey: PEER, params: { omb_listener: aliceUri, omb_version: V } });
    const header = 'OAuth realm="x", ' + Object.entries(signed.params).filter(([k]) => k.startsWith('oauth_')).map(([k, v]) => `${k}="${encodeURIComponent(v)}"`).join(', ');
    const response = await sendRaw('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V }, { authorization: header });
    assert.equal(response.status, 200, response.body);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: [string, () => Promise<{ status: number; body: string }>, number][] = [
    ['a PLAINTEXT signature', () => sendRaw('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V, oauth_consumer_key: PEER, oauth_signature_method: 'PLAINTEXT', oauth_signature: '&', oauth_timestamp: String(now()), oauth_nonce: 'plain1', oauth_version: '1.0' }), 401],
    ['a missing signature method', () => sendRaw('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V, oauth_consumer_key: PEER, oauth_signature: 'x', oauth_timestamp: String(now()), oauth_nonce: 'nomethod' }), 401],
    ['a forged signature', async () => {
      const signed = signRequest({ method: 'POST', url: `${a.url}/omb/requesttoken`, consumerKey: PEER, params: { omb_listener: aliceUri, omb_version: V } });
      return sendRaw('/omb/requesttoken', { ...signed.params, oauth_signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
    }, 401],
    ['a tampered parameter', async () => {
      const signed = signRequest({ method: 'POST', url: `${a.url}/omb/requesttoken`, consumerKey: PEER, params: { omb_listener: aliceUri, omb_version: V } });
      return sendRaw('/omb/requesttoken', { ...signed.params, omb_listener: `${a.url}/user/2` });
    }, 401],
    ['a stale timestamp', () => send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V }, { timestamp: now() - 301 }), 401],
    ['a timestamp from the future', () => send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V }, { timestamp: now() + 301 }), 401],
    ['a signature computed for another URL (Host is never trusted)', async () => {
      const signed = signRequest({ method: 'POST', url: 'http://evil.example/omb/requesttoken', consumerKey: PEER, params: { omb_listener: aliceUri, omb_version: V } });
      return sendRaw('/omb/requesttoken', signed.params, { 'x-forwarded-host': 'evil.example' });
    }, 401],
    ['a wrong omb_version', () => send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: 'http://openmicroblogging.org/protocol/0.2' }), 400],
    ['a listener who is not a user here', () => send('/omb/requesttoken', { omb_listener: 'http://elsewhere.example/user/1', omb_version: V }), 400],
    ['a repeated parameter', () => sendRaw('/omb/requesttoken', 'omb_version=a&omb_version=b'), 400],
  ];
  for (const [what, attempt, status] of refusals) {
    it(`refuses ${what} with ${status} and stores nothing`, async () => {
      const tokens = await count('omb_request_tokens');
      const nonces = await count('oauth_nonces');
      const response = await attempt();
      assert.equal(response.status, status, response.body);
      assert.ok(response.body.length > 0 && response.body.length < 200, 'a short plain-text reason');
      assert.equal(await count('omb_request_tokens'), tokens);
      assert.equal(await count('oauth_nonces'), nonces);
    });
  }

  it('answers a body it cannot read with a plain-text 4xx, not a page', async () => {
    const huge = await sendRaw('/omb/requesttoken', `omb_version=${'x'.repeat(70 * 1024)}`);
    assert.equal(huge.status, 413);
    assert.match(huge.type, /^text\/plain/);
    assert.doesNotMatch(huge.body, /<html/i);
  });

  it('refuses a replayed request', async () => {
    const signed = signRequest({ method: 'POST', url: `${a.url}/omb/requesttoken`, consumerKey: PEER, params: { omb_listener: aliceUri, omb_version: V } });
    assert.equal((await sendRaw('/omb/requesttoken', signed.params)).status, 200);
    const tokens = await count('omb_request_tokens');
    const replay = await sendRaw('/omb/requesttoken', signed.params);
    assert.equal(replay.status, 401);
    assert.match(replay.body, /nonce/);
    assert.equal(await count('omb_request_tokens'), tokens);
  });
});

describe('authorization page', () => {
  it('sends an anonymous visitor to log in and back to the same request', async () => {
    const token = tokenOf((await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V })).body);
    const path = authorizePath(token, listenee('bob'));
    const visitor = new WebClient(a.url);
    const page = await visitor.get(path);
    assert.equal(page.status, 303);
    const login = new URL(page.location!, a.url);
    assert.equal(login.pathname, '/main/login');
    assert.equal(login.searchParams.get('returnto'), path);
    const form = await visitor.get(login.pathname + login.search);
    assert.match(form.text, /name="returnto"/);
    const signedIn = await visitor.post('/main/login', { nickname: 'alice', password: 'correct horse battery', returnto: path });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, path);
    assert.equal((await visitor.get(path)).status, 200);
  });

  it('shows the escaped profile, changes nothing on GET, and needs a CSRF token to accept', async () => {
    const token = tokenOf((await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V })).body);
    const profiles = await count('profiles');
    const page = await alice.get(authorizePath(token, { ...listenee('mallory'), omb_listenee_fullname: '<script>alert(1)</script>', omb_listenee_bio: 'Bio & "more"', omb_listenee_avatar: 'http://peer.example/avatar/mallory-96.png' }));
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page.text, /src="http:\/\/peer\.example\/avatar\/mallory-96\.png"/);
    assert.match(page.text, /value="accept">Accept<\/button>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/peer\.example/);
    assert.match(page.headers.get('content-security-policy') ?? '', /img-src 'self' data: http:\/\/peer\.example;/);
    assert.equal((await db()('omb_request_tokens').where({ token: token.key }).first()).state, 'new');
    assert.equal(await count('profiles'), profiles);
    const forged = await alice.post('/omb/userauthorization', { _csrf: 'forged', oauth_token: token.key, decision: 'accept' });
    assert.equal(forged.status, 403);
    assert.equal((await db()('omb_request_tokens').where({ token: token.key }).first()).state, 'new');
    const accepted = await alice.post('/omb/userauthorization', { oauth_token: token.key, decision: 'accept' });
    assert.equal(accepted.status, 303);
    const callback = new URL(accepted.location!);
    assert.equal(callback.origin + callback.pathname, 'http://peer.example/finish');
    assert.equal(callback.searchParams.get('action'), 'finishremotesubscribe', 'the callback keeps its own query');
    assert.equal(callback.searchParams.get('oauth_token'), token.key);
    assert.equal(callback.searchParams.get('omb_version'), V);
    assert.equal(callback.searchParams.get('omb_listener_nickname'), 'alice');
    assert.equal(callback.searchParams.get('omb_listener_profile'), `${a.url}/alice`);
    assert.equal((await db()('omb_request_tokens').where({ token: token.key }).first()).state, 'authorized');
  });

  it('refuses a request made for another user, or for a listenee who lives here', async () => {
    const token = tokenOf((await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V })).body);
    const forCarol = await carol.get(authorizePath(token, listenee('bob')));
    assert.equal(forCarol.status, 403);
    const local = await alice.get(authorizePath(token, { ...listenee('bob'), omb_listenee: `${a.url}/user/2` }));
    assert.equal(local.status, 400);
    const badNickname = await alice.get(authorizePath(token, { ...listenee('bob'), omb_listenee_nickname: 'bad.nick' }));
    assert.equal(badNickname.status, 400);
    assert.match(textOf(badNickname.text), /nickname/);
    assert.equal((await db()('omb_request_tokens').where({ token: token.key }).first()).state, 'new');
  });

  it('sends a rejection to the bare callback, and the token can never be exchanged', async () => {
    const token = tokenOf((await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V })).body);
    await alice.get(authorizePath(token, listenee('bob')));
    const rejected = await alice.post('/omb/userauthorization', { oauth_token: token.key, decision: 'reject' });
    assert.equal(rejected.status, 303);
    assert.equal(rejected.location, 'http://peer.example/finish?action=finishremotesubscribe');
    const exchange = await send('/omb/accesstoken', { omb_version: V }, { token });
    assert.equal(exchange.status, 401);
  });
});

describe('access tokens, postNotice and updateProfile', () => {
  let bobToken: Token;
  let daveToken: Token;

  it('exchanges an authorized request token once, signed with its secret', async () => {
    const requestToken = tokenOf((await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V })).body);
    await alice.get(authorizePath(requestToken, listenee('bob')));
    await alice.post('/omb/userauthorization', { oauth_token: requestToken.key, decision: 'accept' });
    const wrongSecret = await send('/omb/accesstoken', { omb_version: V }, { token: { key: requestToken.key, secret: 'f'.repeat(32) } });
    assert.equal(wrongSecret.status, 401);
    const otherConsumer = await send('/omb/accesstoken', { omb_version: V }, { token: requestToken, consumerKey: OTHER_PEER });
    assert.equal(otherConsumer.status, 401);
    assert.equal(await count('omb_access_tokens'), 0);
    const exchanged = await send('/omb/accesstoken', { omb_version: V }, { token: requestToken });
    assert.equal(exchanged.status, 200, exchanged.body);
    assert.match(exchanged.body, /^oauth_token=[0-9a-f]{32}&oauth_token_secret=[0-9a-f]{32}$/);
    bobToken = tokenOf(exchanged.body);
    const again = await send('/omb/accesstoken', { omb_version: V }, { token: requestToken });
    assert.equal(again.status, 401);
    assert.equal(await count('omb_access_tokens'), 1);
    const following = await alice.get('/alice/subscriptions');
    assert.match(textOf(following.text), /bob@peer\.example/);
    daveToken = await subscribeAlice(listenee('dave', 'other.example'), OTHER_PEER);
  });

  const notice = (n: number, extra: Params = {}): Params => ({
    omb_version: V,
    omb_listenee: 'http://peer.example/user/bob',
    omb_notice: `http://peer.example/notice/${n}`,
    omb_notice_content: `Notice number ${n} <i>from bob</i>`,
    omb_notice_url: `http://peer.example/notice/${n}`,
    omb_notice_license: LICENSE,
    ...extra,
  });

  it('stores a pushed notice once, answers with the exact success body, and shows it to subscribers', async () => {
    const first = await send('/omb/postnotice', notice(1), { token: bobToken });
    assert.equal(first.status, 200, first.body);
    assert.equal(first.body, 'omb_version=http://openmicroblogging.org/protocol/0.1');
    assert.match(first.type, /^text\/plain/);
    const again = await send('/omb/postnotice', notice(1), { token: bobToken });
    assert.equal(again.status, 200);
    assert.equal(again.body, 'omb_version=http://openmicroblogging.org/protocol/0.1');
    assert.equal((await db()('notices').where({ uri: 'http://peer.example/notice/1' })).length, 1);
    await waitFor('the notice on alice’s home timeline', async () => (await alice.get('/alice/all')).text.includes('Notice number 1'));
    const home = await alice.get('/alice/all');
    assert.match(home.text, /Notice number 1 &#60;i&#62;from bob&#60;\/i&#62;/);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const pushRefusals: [string, () => Promise<{ status: number; body: string }>, number][] = [
    ['a push for another subscription’s listenee (cross-subscription)', () => send('/omb/postnotice', notice(2, { omb_listenee: 'http://other.example/user/dave' }), { token: bobToken }), 403],
    ['a push signed with another subscription’s token', () => send('/omb/postnotice', notice(2), { token: daveToken, consumerKey: OTHER_PEER }), 403],
    ['a token presented by another consumer', () => send('/omb/postnotice', notice(2), { token: bobToken, consumerKey: OTHER_PEER }), 403],
    ['an unknown token', () => send('/omb/postnotice', notice(2), { token: { key: '0'.repeat(32), secret: '0'.repeat(32) } }), 403],
    ['a wrong token secret', () => send('/omb/postnotice', notice(2), { token: { key: bobToken.key, secret: '0'.repeat(32) } }), 401],
    ['a stale push', () => send('/omb/postnotice', notice(2), { token: bobToken, timestamp: now() - 600 }), 401],
    ['a PLAINTEXT push', () => sendRaw('/omb/postnotice', { ...notice(2), oauth_consumer_key: PEER, oauth_token: bobToken.key, oauth_signature_method: 'PLAINTEXT', oauth_signature: `&${bobToken.secret}`, oauth_timestamp: String(now()), oauth_nonce: 'plaintext-push', oauth_version: '1.0' }), 401],
    ['a tampered push', async () => {
      const signed = signRequest({ method: 'POST', url: `${a.url}/omb/postnotice`, consumerKey: PEER, token: bobToken, params: notice(2) });
      return sendRaw('/omb/postnotice', { ...signed.params, omb_notice_content: 'Changed on the way' });
    }, 401],
    ['a wrong omb_version', () => send('/omb/postnotice', notice(2, { omb_version: 'http://openmicroblogging.org/protocol/0.2' }), { token: bobToken }), 400],
    ['content over 140 characters', () => send('/omb/postnotice', notice(2, { omb_notice_content: 'é'.repeat(141) }), { token: bobToken }), 400],
    ['no notice URI', () => send('/omb/postnotice', notice(2, { omb_notice: '' }), { token: bobToken }), 400],
    ['a javascript: notice URI', () => send('/omb/postnotice', notice(2, { omb_notice: 'javascript:alert(1)' }), { token: bobToken }), 400],
    ['a NUL in the content', () => send('/omb/postnotice', notice(2, { omb_notice_content: 'a\u0000b' }), { token: bobToken }), 400],
  ];
  for (const [what, attempt, status] of pushRefusals) {
    it(`refuses ${what} with ${status} and stores nothing`, async () => {
      const notices = await count('notices');
      const nonces = await count('oauth_nonces');
      const response = await attempt();
      assert.equal(response.status, status, response.body);
      assert.ok(response.body.length > 0 && response.body.length < 200, 'a short plain-text reason');
      assert.equal(await count('notices'), notices);
      assert.equal(await count('oauth_nonces'), nonces);
    });
  }

  it('refuses a replayed push', async () => {
    const signed = signRequest({ method: 'POST', url: `${a.url}/omb/postnotice`, consumerKey: PEER, token: bobToken, params: notice(3) });
    assert.equal((await sendRaw('/omb/postnotice', signed.params)).status, 200);
    const replay = await sendRaw('/omb/postnotice', signed.params);
    assert.equal(replay.status, 401);
  });

  it('applies a profile update, clearing empty fields, and never changes the identifier or profile URL', async () => {
    const update: Params = {
      omb_version: V,
      ...listenee('bob'),
      omb_listenee_profile: 'http://evil.example/bob',
      omb_listenee_fullname: 'Bob Example',
      omb_listenee_bio: 'Now writes about bees.',
      omb_listenee_location: '',
      omb_listenee_homepage: '',
      omb_listenee_avatar: 'http://peer.example/avatar/bob-96.png',
    };
    const response = await send('/omb/updateprofile', update, { token: bobToken });
    assert.equal(response.status, 200, response.body);
    assert.equal(response.body, 'omb_version=http://openmicroblogging.org/protocol/0.1');
    const bob = await db()('profiles').where({ uri: 'http://peer.example/user/bob' }).first();
    assert.equal(bob.fullname, 'Bob Example');
    assert.equal(bob.bio, 'Now writes about bees.');
    assert.equal(bob.location, null);
    assert.equal(bob.avatar_url, 'http://peer.example/avatar/bob-96.png');
    assert.equal(bob.profile_url, 'http://peer.example/bob');
    const home = await alice.get('/alice/all');
    // Pages never hotlink another server: until our copy is fetched, the default picture stands in.
    assert.doesNotMatch(home.text, /src="http:\/\/peer\.example/);
    assert.match(home.text, /<img class="avatar" src="\/images\/default-avatar-48\.png"/);
    const fetches = await db().raw(`SELECT data FROM pgboss.job WHERE name = 'profile.avatar.fetch'`);
    assert.ok(
      fetches.rows.some((job: { data: { profileId: number; url: string } }) => job.data.profileId === Number(bob.id) && job.data.url === 'http://peer.example/avatar/bob-96.png'),
      'the new avatar URL queues a fetch of our own copy',
    );
    assert.match(home.text, /Bob Example/);
  });

  it('refuses a profile update for another listenee, or with a bad field, and changes nothing', async () => {
    const dave = await db()('profiles').where({ uri: 'http://other.example/user/dave' }).first();
    const cross = await send('/omb/updateprofile', { omb_version: V, ...listenee('dave', 'other.example'), omb_listenee_fullname: 'Hijacked' }, { token: bobToken });
    assert.equal(cross.status, 403);
    const bad = await send('/omb/updateprofile', { omb_version: V, ...listenee('bob'), omb_listenee_nickname: 'no way', omb_listenee_fullname: 'Changed' }, { token: bobToken });
    assert.equal(bad.status, 400);
    const badUrl = await send('/omb/updateprofile', { omb_version: V, ...listenee('bob'), omb_listenee_avatar: 'javascript:alert(1)' }, { token: bobToken });
    assert.equal(badUrl.status, 400);
    assert.deepEqual(await db()('profiles').where({ uri: 'http://other.example/user/dave' }).first(), dave);
    assert.equal((await db()('profiles').where({ uri: 'http://peer.example/user/bob' }).first()).fullname, 'Bob Example');
  });

  it('answers 403 once the listener has unsubscribed (the token is revoked)', async () => {
    const bob = await db()('profiles').where({ uri: 'http://peer.example/user/bob' }).first();
    await alice.get(`/remote/${bob.id}`);
    const done = await alice.post(`/remote/${bob.id}/unsubscribe`, {});
    assert.equal(done.status, 303);
    const push = await send('/omb/postnotice', notice(4), { token: bobToken });
    assert.equal(push.status, 403);
    assert.equal((await db()('notices').where({ uri: 'http://peer.example/notice/4' })).length, 0);
    const update = await send('/omb/updateprofile', { omb_version: V, ...listenee('bob'), omb_listenee_fullname: 'Late' }, { token: bobToken });
    assert.equal(update.status, 403);
  });
});

describe('which listenees a consumer may name', () => {
  const THIRD = 'http://third.example/';
  let frankToken: Token;

  before(async () => {
    frankToken = await subscribeAlice(listenee('frank', 'third.example'), THIRD);
  });

  async function shown(client: WebClient, extra: Params, consumerKey: string, callback?: string) {
    const token = tokenOf((await send('/omb/requesttoken', { omb_listener: client === carol ? carolUri() : aliceUri, omb_version: V }, { consumerKey })).body);
    const signed = signRequest({
      method: 'GET',
      url: `${a.url}/omb/userauthorization`,
      consumerKey,
      token,
      params: { oauth_callback: callback ?? `${consumerKey}index.php?action=finishremotesubscribe`, omb_version: V, omb_listener: client === carol ? carolUri() : aliceUri, ...extra },
    });
    const page = await client.get(`/omb/userauthorization?${encodeForm(signed.params)}`);
    return { token, page };
  }
  let carolId = 0;
  const carolUri = () => `${a.url}/user/${carolId}`;
  before(async () => {
    carolId = (await db()('profiles').where({ nickname: 'carol' }).first()).id;
  });

  const refusals: [string, Params, string, string | undefined, number, RegExp][] = [
    ['an identifier and a profile on different sites', { ...listenee('zoe', 'third.example'), omb_listenee: 'http://fourth.example/user/zoe' }, THIRD, undefined, 403, /not on the same site/],
    ['a profile the asking server does not serve', listenee('zoe', 'fourth.example'), THIRD, undefined, 403, /not served by the server that asks/],
    ['a consumer key that is not the server’s URL', listenee('zoe', 'third.example'), 'third', 'http://third.example/finish', 403, /not served by/],
    ['a callback on another site', listenee('zoe', 'third.example'), THIRD, 'http://fourth.example/finish', 400, /oauth_callback/],
    ['a known listenee under another consumer key of the same site', listenee('frank', 'third.example'), 'http://third.example/other/', undefined, 403, /already known here through another server/],
    ['a listenee the listener already follows', listenee('frank', 'third.example'), THIRD, undefined, 409, /already subscribe to frank@third\.example/],
  ];
  for (const [what, params, consumerKey, callback, status, reason] of refusals) {
    it(`refuses ${what} with ${status}, writing nothing`, async () => {
      const profiles = await count('profiles');
      const { token, page } = await shown(alice, params, consumerKey, callback);
      assert.equal(page.status, status, textOf(page.text));
      assert.match(textOf(page.text), reason);
      assert.equal((await db()('omb_request_tokens').where({ token: token.key }).first()).state, 'new');
      assert.equal(await count('profiles'), profiles);
    });
  }

  it('lets a second listener subscribe to a known listenee through the same server, never overwriting what we hold', async () => {
    const frank = await db()('profiles').where({ uri: 'http://third.example/user/frank' }).first();
    const { token, page } = await shown(carol, { ...listenee('frank', 'third.example'), omb_listenee_fullname: 'Not Frank', omb_listenee_avatar: 'http://third.example/evil.png' }, THIRD);
    assert.equal(page.status, 200, textOf(page.text));
    assert.match(textOf(page.text), /Subscribe to frank@third\.example\?/);
    assert.equal((await carol.post('/omb/userauthorization', { oauth_token: token.key, decision: 'accept' })).status, 303);
    const exchanged = await send('/omb/accesstoken', { omb_version: V }, { token, consumerKey: THIRD });
    assert.equal(exchanged.status, 200, exchanged.body);
    // Its subscriber count rightly grows by the new listener; nothing else may change.
    const { subscriber_count: before, ...frankBefore } = frank;
    const { subscriber_count: after, ...frankAfter } = await db()('profiles').where({ id: frank.id }).first();
    assert.deepEqual(frankAfter, frankBefore, 'only frank’s own signed updates change his profile');
    assert.equal(after, before + 1);
    assert.equal((await db()('omb_access_tokens').where({ subscribed_id: frank.id })).length, 2);
    const push = await send('/omb/postnotice', { omb_version: V, omb_listenee: 'http://third.example/user/frank', omb_notice: 'http://third.example/notice/1', omb_notice_content: 'Frank to both' }, { token: frankToken, consumerKey: THIRD });
    assert.equal(push.status, 200, push.body);
  });

  it('binds a new listenee to the first consumer whose exchange completes when two raced', async () => {
    const first = await shown(alice, listenee('erin', 'race.example'), 'http://race.example/');
    const second = await shown(carol, listenee('erin', 'race.example'), 'http://race.example/sn/');
    assert.equal(first.page.status, 200, textOf(first.page.text));
    assert.equal(second.page.status, 200, textOf(second.page.text));
    assert.equal((await alice.post('/omb/userauthorization', { oauth_token: first.token.key, decision: 'accept' })).status, 303);
    assert.equal((await carol.post('/omb/userauthorization', { oauth_token: second.token.key, decision: 'accept' })).status, 303);
    assert.equal((await send('/omb/accesstoken', { omb_version: V }, { token: first.token, consumerKey: 'http://race.example/' })).status, 200);
    const tokens = await count('omb_access_tokens');
    const late = await send('/omb/accesstoken', { omb_version: V }, { token: second.token, consumerKey: 'http://race.example/sn/' });
    assert.equal(late.status, 403, late.body);
    assert.equal(await count('omb_access_tokens'), tokens);
    assert.equal((await db()('omb_request_tokens').where({ token: second.token.key }).first()).state, 'authorized', 'nothing written');
  });

  it('voids a token held by a server that does not host its listenee (one issued before these rules)', async () => {
    const frank = await db()('profiles').where({ uri: 'http://third.example/user/frank' }).first();
    const carolSubscription = { subscriber_id: carolId, subscribed_id: frank.id };
    await db()('omb_consumers').insert({ consumer_key: 'http://evil.example/' }).onConflict().ignore();
    await db()('omb_access_tokens').where(carolSubscription).update({ consumer_key: 'http://evil.example/', token: 'e'.repeat(32), secret: 'f'.repeat(32) });
    const notices = await count('notices');
    const push = await send('/omb/postnotice', { omb_version: V, omb_listenee: 'http://third.example/user/frank', omb_notice: 'http://third.example/notice/66', omb_notice_content: 'Frank, honest' }, { token: { key: 'e'.repeat(32), secret: 'f'.repeat(32) }, consumerKey: 'http://evil.example/' });
    assert.equal(push.status, 403, push.body);
    const update = await send('/omb/updateprofile', { omb_version: V, ...listenee('frank', 'third.example'), omb_listenee_fullname: 'Evil' }, { token: { key: 'e'.repeat(32), secret: 'f'.repeat(32) }, consumerKey: 'http://evil.example/' });
    assert.equal(update.status, 403, update.body);
    assert.equal(await count('notices'), notices);
    assert.equal((await db()('profiles').where({ id: frank.id }).first()).fullname, frank.fullname);
  });

  it('accepts tag: URIs of the listenee’s own host, and refuses notices under another site’s', async () => {
    const own = await send('/omb/postnotice', { omb_version: V, omb_listenee: 'http://third.example/user/frank', omb_notice: 'tag:third.example,2008:notice:2', omb_notice_content: 'Tagged' }, { token: frankToken, consumerKey: THIRD });
    assert.equal(own.status, 200, own.body);
    const notices = await count('notices');
    for (const [uri, url] of [['tag:peer.example,2008:notice:2', ''], ['http://peer.example/notice/77', ''], ['http://third.example/notice/3', 'http://peer.example/notice/77']] as const) {
      const other = await send('/omb/postnotice', { omb_version: V, omb_listenee: 'http://third.example/user/frank', omb_notice: uri, omb_notice_url: url, omb_notice_content: 'Not mine' }, { token: frankToken, consumerKey: THIRD });
      assert.equal(other.status, 400, `${uri} ${url}: ${other.body}`);
      assert.match(other.body, /not on the site of its author \(third\.example\)/);
    }
    assert.equal(await count('notices'), notices);
  });
});

describe('clean-up', () => {
  it('forgets old nonces and request tokens, and keeps recent ones', async () => {
    await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V });
    await db()('oauth_nonces').insert({ consumer_key: PEER, nonce: 'ancient', ts: 1, created_at: db().raw(`now() - interval '1 hour'`) });
    const [old] = await db()('omb_request_tokens').orderBy('created_at').limit(1);
    await db()('omb_request_tokens').where({ token: old.token }).update({ created_at: db().raw(`now() - interval '3 hours'`) });
    const nonces = await count('oauth_nonces');
    const tokens = await count('omb_request_tokens');
    await ombJobDefinitions(a.config)[OMB_CLEANUP_JOB]!.handler(a.runtime.ctx, {}, { retryCount: 0, retryLimit: 1, logger: pino({ level: 'silent' }) });
    assert.equal(await count('oauth_nonces'), nonces - 1);
    assert.equal((await db()('oauth_nonces').where({ nonce: 'ancient' })).length, 0);
    assert.equal(await count('omb_request_tokens'), tokens - 1);
    assert.equal((await db()('omb_request_tokens').where({ token: old.token })).length, 0);
  });
});

describe('request-token throttle', () => {
  it('answers 429 in plain text once one address has asked for too many request tokens', async () => {
    let limited: { status: number; body: string; type: string } | undefined;
    for (let i = 0; i <= REQUEST_TOKENS_PER_ADDRESS && !limited; i++) {
      const response = await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V });
      if (response.status === 429) limited = response;
      else assert.equal(response.status, 200, response.body);
    }
    assert.ok(limited, 'the limit was reached');
    assert.match(limited.type, /^text\/plain/);
    const tokens = await count('omb_request_tokens');
    assert.equal((await send('/omb/requesttoken', { omb_listener: aliceUri, omb_version: V })).status, 429);
    assert.equal(await count('omb_request_tokens'), tokens);
  });
});
