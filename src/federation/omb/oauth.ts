// OAuth Core 1.0 as OMB uses it: HMAC-SHA1 only, empty consumer secret, every parameter signed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { parseFormStrict } from '../../form-encoding.ts';

export type Params = Record<string, string>;

/** Signing parameters: nonce and timestamp are injectable so that tests can use fixed vectors. */
export type SignInput = {
  method: 'GET' | 'POST';
  /** The endpoint URL exactly as discovered; its query pairs become ordinary signed parameters. */
  url: string;
  consumerKey: string;
  token?: { key: string; secret: string };
  params: Params;
  nonce?: string;
  timestamp?: number;
};

/** What to send: the URL without its query, and every parameter (OMB, query pairs and oauth_*). */
export type SignedRequest = { url: string; params: Params };

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function oauthFor(consumerKey: string): OAuth {
  return new OAuth({
    consumer: { key: consumerKey, secret: '' },
    signature_method: 'HMAC-SHA1', // the library's default is PLAINTEXT
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
}

/** 32 random alphanumeric characters (StatusNet stores nonces in 32 characters). */
export function newNonce(): string {
  const bytes = randomBytes(32);
  return [...bytes].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/** 32 lower-case hex characters from a CSPRNG, the shape of StatusNet's tokens and secrets. */
export function newTokenValue(): string {
  return randomBytes(16).toString('hex');
}

/** The signature base URL: scheme, host, non-default port and path; no query or fragment. */
export function baseUrlOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** The query pairs of a URL, decoded as a form decodes them ("+" is a space). */
export function queryPairs(url: string): Params {
  const pairs: Params = {};
  for (const [name, value] of new URL(url).searchParams) pairs[name] = value;
  return pairs;
}

function signatureOf(method: string, baseUrl: string, consumerKey: string, tokenSecret: string, params: Params): string {
  const oauthData: Record<string, string> = {};
  const data: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name === 'oauth_signature') continue;
    if (name.startsWith('oauth_')) oauthData[name] = value;
    else data[name] = value;
  }
  // getSignature merges into the object it is given: hand it a copy.
  return oauthFor(consumerKey).getSignature({ url: baseUrl, method, data }, tokenSecret, { ...oauthData } as unknown as OAuth.Data);
}

/** Signs a request with HMAC-SHA1; all parameters travel in the body (or the query of a GET). */
export function signRequest(input: SignInput): SignedRequest {
  const baseUrl = baseUrlOf(input.url);
  const params: Params = { ...queryPairs(input.url), ...input.params };
  params.oauth_consumer_key = input.consumerKey;
  params.oauth_nonce = input.nonce ?? newNonce();
  params.oauth_signature_method = 'HMAC-SHA1';
  params.oauth_timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  params.oauth_version = '1.0';
  if (input.token) params.oauth_token = input.token.key;
  params.oauth_signature = signatureOf(input.method, baseUrl, input.consumerKey, input.token?.secret ?? '', params);
  return { url: baseUrl, params };
}

/** Whether the request's oauth_signature is the HMAC-SHA1 of its parameters (constant-time compare). */
export function signatureMatches(method: string, baseUrl: string, params: Params, tokenSecret: string): boolean {
  const given = params.oauth_signature;
  const consumerKey = params.oauth_consumer_key;
  if (given === undefined || consumerKey === undefined) return false;
  const expected = Buffer.from(signatureOf(method, baseUrl, consumerKey, tokenSecret, params));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Form-encodes parameters with RFC 3986 percent-encoding (space is %20). */
export function encodeForm(params: Params): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(params)
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
}

/** Parses a form-encoded body the way PHP peers write it; undefined when a name repeats or a value is not UTF-8. */
export function decodeForm(body: string | Buffer): Params | undefined {
  let form;
  try {
    // Latin-1 maps bytes to characters one to one: trimming keeps a Buffer's bytes as they were.
    form = parseFormStrict(typeof body === 'string' ? body.trim() : Buffer.from(body.toString('latin1').trim(), 'latin1'));
  } catch {
    return undefined;
  }
  const params: Params = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value !== 'string') return undefined;
    params[name] = value;
  }
  return params;
}
