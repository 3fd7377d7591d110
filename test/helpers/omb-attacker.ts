// A hostile OMB server for tests: a few scripted endpoints on loopback, and a client that speaks
// both OMB roles towards a real Ostrakon with whatever parameters a test crafts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeForm, signRequest } from '../../src/federation/omb/oauth.ts';
import type { Params } from '../../src/federation/omb/oauth.ts';
import { toXrds } from '../../src/federation/omb/xrds.ts';
import type { OmbServices } from '../../src/federation/omb/xrds.ts';
import { textOf } from './web-client.ts';
import type { WebClient } from './web-client.ts';

export const OMB_V = 'http://openmicroblogging.org/protocol/0.1';
export const CC_BY = 'http://creativecommons.org/licenses/by/3.0/';

export type Token = { key: string; secret: string };
export type Answer = { status: number; body: string };
type Route = (params: Params) => { status?: number; type?: string; headers?: Record<string, string>; body: string };

/** A scripted server: `routes` maps "METHOD /path" to an answer; `calls` records what arrived. */
export type FakeOmbServer = {
  url: string;
  /** The consumer key an honest server at this URL would use. */
  consumerKey: string;
  routes: Map<string, Route>;
  calls: { route: string; params: Params }[];
  /** Serves an XRDS document at `path` (and a profile page there pointing to it by header). */
  publishXrds(path: string, services: OmbServices): void;
  /** A signed form POST to another server's endpoint. */
  post(endpoint: string, params: Params, options?: { token?: Token; consumerKey?: string }): Promise<Answer>;
  close(): Promise<void>;
};

/** Starts an empty scripted server on a free loopback port. */
export async function startFakeOmbServer(): Promise<FakeOmbServer> {
  const routes = new Map<string, Route>();
  const calls: { route: string; params: Params }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://fake.invalid');
      const params: Params = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(body)) };
      const route = `${req.method} ${url.pathname}`;
      calls.push({ route, params });
      const handler = routes.get(route);
      if (!handler) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      const answer = handler(params);
      res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'text/plain', ...answer.headers }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    consumerKey: `${url}/`,
    routes,
    calls,
    publishXrds(path, services) {
      const xrdsPath = `${path}/xrds`;
      routes.set(`GET ${path}`, () => ({ type: 'text/html', headers: { 'x-xrds-location': `${url}${xrdsPath}` }, body: '<html><body>profile</body></html>' }));
      routes.set(`GET ${xrdsPath}`, () => ({ type: 'application/xrds+xml', body: toXrds(services) }));
    },
    async post(endpoint, params, options = {}) {
      const signed = signRequest({ method: 'POST', url: endpoint, consumerKey: options.consumerKey ?? `${url}/`, token: options.token, params });
      const response = await fetch(signed.url, { method: 'POST', body: encodeForm(signed.params), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return { status: response.status, body: await response.text() };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The token pair in a token endpoint's answer. */
export function tokenOf(answer: Answer): Token {
  assert.equal(answer.status, 200, answer.body);
  const params = new URLSearchParams(answer.body);
  return { key: params.get('oauth_token')!, secret: params.get('oauth_token_secret')! };
}

/** The listenee parameters of an authorization request. */
export function listeneeParams(uri: string, profileUrl: string, nickname: string, extra: Params = {}): Params {
  return { omb_listenee: uri, omb_listenee_profile: profileUrl, omb_listenee_nickname: nickname, omb_listenee_license: CC_BY, ...extra };
}

export type AuthorizationAttempt = { requestToken: Token; page: Answer; accepted: Answer | undefined; exchanged: Answer | undefined };

/**
 * Plays the listenee's server against a real provider: asks for a request token for `listenerUri`,
 * sends the signed-in listener (`listener`, a browser on the provider) to the authorization page with
 * the crafted `listenee` parameters, accepts if the page allows it, and tries to exchange the token.
 */
export async function authorizeAs(
  fake: FakeOmbServer,
  providerUrl: string,
  listener: WebClient,
  listenerUri: string,
  listenee: Params,
  options: { consumerKey?: string; callback?: string } = {},
): Promise<AuthorizationAttempt> {
  const consumerKey = options.consumerKey ?? fake.consumerKey;
  const requestToken = tokenOf(await fake.post(`${providerUrl}/omb/requesttoken`, { omb_listener: listenerUri, omb_version: OMB_V }, { consumerKey }));
  const signed = signRequest({
    method: 'GET',
    url: `${providerUrl}/omb/userauthorization`,
    consumerKey,
    token: requestToken,
    params: { oauth_callback: options.callback ?? `${fake.url}/finish`, omb_version: OMB_V, omb_listener: listenerUri, ...listenee },
  });
  const shown = await listener.get(`/omb/userauthorization?${encodeForm(signed.params)}`);
  const page = { status: shown.status, body: textOf(shown.text) };
  let accepted: Answer | undefined;
  if (shown.status === 200) {
    const answer = await listener.post('/omb/userauthorization', { oauth_token: requestToken.key, decision: 'accept' });
    accepted = { status: answer.status, body: answer.location ?? textOf(answer.text) };
  }
  // An attacker exchanges the token whatever the page said.
  const exchanged = await fake.post(`${providerUrl}/omb/accesstoken`, { omb_version: OMB_V }, { consumerKey, token: requestToken });
  return { requestToken, page, accepted, exchanged };
}
