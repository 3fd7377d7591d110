// Signed server-to-server POSTs: every parameter, oauth_* included, in a form-encoded body.
import type { HttpClient, OutboundResponse } from '../http-client.ts';
import { decodeForm, encodeForm, signRequest } from './oauth.ts';
import type { Params } from './oauth.ts';

/** Signs and POSTs to a discovered endpoint (query pairs move into the body, as StatusNet does). */
export function postSigned(
  client: HttpClient,
  endpoint: string,
  consumerKey: string,
  token: { key: string; secret: string } | undefined,
  params: Params,
  totalTimeoutMs = 15_000,
): Promise<OutboundResponse> {
  const signed = signRequest({ method: 'POST', url: endpoint, consumerKey, token, params });
  return client.request(signed.url, {
    method: 'POST',
    body: encodeForm(signed.params),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    totalTimeoutMs,
  });
}

/** The token pair of a token endpoint's answer, or undefined (StatusNet answers 200 with an empty body on failure). */
export function tokenPairOf(response: OutboundResponse): { key: string; secret: string } | undefined {
  if (response.status !== 200) return undefined;
  const params = decodeForm(response.bytes);
  const key = params?.oauth_token;
  const secret = params?.oauth_token_secret;
  return key && secret ? { key, secret } : undefined;
}
