// Fedify's document and context loaders, made to fetch through the one outbound HTTP client (its
// address policy, timeouts, size cap), and to sign GETs when an actor fetches (authorized fetch).
import { signRequest } from '@fedify/fedify';
import { Object as ApObject } from '@fedify/fedify/vocab';
import { FetchError, preloadedContexts } from '@fedify/fedify/runtime';
import type { DocumentLoader, RemoteDocument } from '@fedify/fedify/runtime';
import type { HttpClient } from '../http-client.ts';
import { MAX_REDIRECTS, OutboundError } from '../http-client.ts';

/** What ActivityPub servers are asked for when we fetch an actor or object. */
export const ACTIVITY_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

// Actors and objects are small; a megabyte is generous and bounds memory.
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export type Signer = { keyId: URL; privateKey: CryptoKey };

/** Why a document could not be had: its server refused by our address policy or unreachable, an answer other than 200, or no JSON. */
export type DocumentFailure = 'refused' | 'unreachable' | 'status' | 'unusable';

/** A fetch that failed, saying why (a FetchError still, as Fedify expects). */
export class DocumentFetchError extends FetchError {
  readonly failure: DocumentFailure;
  readonly status: number | undefined;
  constructor(url: string, message: string, failure: DocumentFailure, status?: number) {
    super(url, message);
    this.failure = failure;
    this.status = status;
  }
}

function failureOf(error: unknown): DocumentFailure {
  if (!(error instanceof OutboundError)) return 'unreachable';
  if (error.kind === 'blocked' || error.kind === 'bad-url') return 'refused';
  return error.kind === 'network' || error.kind === 'timeout' ? 'unreachable' : 'unusable';
}

function parseDocument(url: string, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new DocumentFetchError(url, `${url} did not answer with JSON`, 'unusable');
  }
}

/** Fetches a JSON(-LD) document; with a signer the GET carries an HTTP signature (draft-cavage). */
export async function fetchDocument(client: HttpClient, url: string, signer?: Signer): Promise<RemoteDocument> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    let headers: Record<string, string> = { accept: ACTIVITY_ACCEPT };
    if (signer) {
      // Each hop is signed for its own URL: a signature covers the request target and the host.
      const signed = await signRequest(new Request(current, { headers }), signer.privateKey, signer.keyId, { spec: 'draft-cavage-http-signatures-12' });
      headers = Object.fromEntries(signed.headers.entries());
    }
    let response;
    try {
      response = await client.request(current, { headers, maxRedirects: 0, maxBytes: MAX_DOCUMENT_BYTES });
    } catch (error) {
      throw new DocumentFetchError(current, (error as Error).message, failureOf(error));
    }
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      if (redirects >= MAX_REDIRECTS) throw new DocumentFetchError(url, `too many redirects from ${url}`, 'unusable');
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new DocumentFetchError(url, 'redirected to a non-HTTP URL', 'refused');
      if (new URL(current).protocol === 'https:' && next.protocol === 'http:') throw new DocumentFetchError(url, 'refused a redirect from https to http', 'refused');
      current = next.href;
      continue;
    }
    if (response.status !== 200) throw new DocumentFetchError(current, `HTTP ${response.status}: ${current}`, 'status', response.status);
    return { contextUrl: null, documentUrl: response.url, document: parseDocument(current, response.body) };
  }
}

/** The loader for JSON-LD contexts: the well-known ones from Fedify's preloaded copies, others fetched. */
export function contextLoaderFor(client: HttpClient): DocumentLoader {
  return async (url) => {
    const preloaded = (preloadedContexts as Record<string, unknown>)[url];
    if (preloaded !== undefined) return { contextUrl: null, documentUrl: url, document: preloaded };
    return fetchDocument(client, url);
  };
}

/** The loader for actors and objects, unsigned or signed by the given key. */
export function documentLoaderFor(client: HttpClient, signer?: Signer): DocumentLoader {
  const contexts = contextLoaderFor(client);
  return async (url) => {
    if (url in preloadedContexts) return contexts(url);
    return fetchDocument(client, url, signer);
  };
}

/**
 * The object at a URL as its own origin serves it, or null when the answer is no ActivityStreams
 * object or claims an id on another origin. Fedify's lookupObject does the same but, when the fetch
 * fails, asks WebFinger itself, outside the one outbound client: so this is used instead.
 */
export async function fetchObject(url: string | URL, loaders: { documentLoader: DocumentLoader; contextLoader: DocumentLoader }): Promise<ApObject | null> {
  const document = await loaders.documentLoader(String(url));
  let object: ApObject;
  try {
    object = await ApObject.fromJsonLd(document.document, { ...loaders, baseUrl: new URL(document.documentUrl) });
  } catch (error) {
    if (error instanceof TypeError) return null; // not an ActivityStreams object we know
    throw error;
  }
  return object.id && object.id.origin === new URL(document.documentUrl).origin ? object : null;
}
