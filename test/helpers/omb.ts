// Drives the OMB remote-subscribe flow the way a browser does: two sites, cookies per site,
// every redirect followed by hand.
import assert from 'node:assert/strict';
import { startTestServer } from './server.ts';
import type { TestServer } from './server.ts';
import type { HttpClient } from '../../src/federation/http-client.ts';
import { registeredClient, textOf, WebClient } from './web-client.ts';
import type { Page } from './web-client.ts';

/** Settings both federating test servers need: loopback peers, and quick retries. */
export const FEDERATION_ENV = { ALLOW_PRIVATE_ADDRESSES: 'true', DELIVERY_RETRY_SECONDS: '1' };

export type SubscribeResult = { authorizePage: Page; finish: Page; visitor: WebClient; callbackPath: string };

/**
 * The listener (signed in at home through `home`) visits the listenee's profile on `remote` as a
 * stranger, uses "Subscribe", types their own profile URL, approves at home, and comes back.
 */
export async function remoteSubscribe(
  remote: TestServer,
  listeneeNickname: string,
  home: WebClient,
  listenerProfileUrl: string,
  decision: 'accept' | 'reject' = 'accept',
): Promise<SubscribeResult> {
  const visitor = new WebClient(remote.url);
  const profile = await visitor.get(`/${listeneeNickname}`);
  assert.equal(profile.status, 200);
  const link = /href="(\/main\/remote\?nickname=[^"]+)"/.exec(profile.text)?.[1];
  assert.ok(link, 'the profile offers remote subscription to visitors');
  const form = await visitor.get(link.replace(/&amp;/g, '&'));
  assert.equal(form.status, 200, textOf(form.text));
  assert.match(form.text, new RegExp(`name="nickname" value="${listeneeNickname}"`));
  const submitted = await visitor.post('/main/remote', { nickname: listeneeNickname, profile_url: listenerProfileUrl });
  assert.equal(submitted.status, 303, textOf(submitted.text));
  const authorizeUrl = new URL(submitted.location!);
  assert.equal(authorizeUrl.origin, new URL(listenerProfileUrl).origin, 'the visitor is sent to their home server');

  const authorizePage = await home.get(authorizeUrl.pathname + authorizeUrl.search);
  assert.equal(authorizePage.status, 200, textOf(authorizePage.text));
  const token = /name="oauth_token" value="([^"]+)"/.exec(authorizePage.text)?.[1];
  assert.ok(token);
  const answered = await home.post('/omb/userauthorization', { oauth_token: token, decision });
  assert.equal(answered.status, 303, textOf(answered.text));
  const callback = new URL(answered.location!);
  assert.equal(callback.origin, remote.url, 'the visitor comes back to the listenee’s server');
  const callbackPath = callback.pathname + callback.search;
  const finish = await visitor.get(callbackPath);
  return { authorizePage, finish, visitor, callbackPath };
}

/** Two servers that federate over loopback: alice registered on A, bob on B; A may be given its outbound client. */
export async function startTwoSites(options: { httpClientA?: HttpClient } = {}): Promise<{ a: TestServer; b: TestServer; alice: WebClient; bob: WebClient }> {
  const [a, b] = await Promise.all([startTestServer({ env: FEDERATION_ENV, httpClient: options.httpClientA }), startTestServer({ env: FEDERATION_ENV })]);
  const [alice, bob] = await Promise.all([registeredClient(a.url, 'alice'), registeredClient(b.url, 'bob')]);
  return { a, b, alice, bob };
}
