// Finding a person on another server from what someone types: @user@host (WebFinger, then the
// actor) or the URL of their profile or actor. Fetches go through the one HTTP client; what fails
// is told as a LookupError with the status the form is answered with: 404 for nobody there, 400
// for a server that cannot be reached (or may not be), 422 for something that is not a person.
import { isActor } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { OutboundError } from '../http-client.ts';
import type { OutboundResponse } from '../http-client.ts';
import { parseHandle, parseRemoteInput, RemotePersonError } from '../remote-follow.ts';
import { apFederationFor } from './federation.ts';
import { DocumentFetchError, fetchObject } from './loaders.ts';

export { parseHandle };

/** Why a handle or URL could not be resolved to an ActivityPub actor. */
export class LookupError extends RemotePersonError {
  constructor(message: string, status = 400) {
    super(status, message);
  }
}

const ACTOR_TYPES = new Set(['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']);
const JRD_LIMIT = 256 * 1024;

function unreachable(host: string, error: OutboundError): LookupError {
  if (error.kind === 'blocked' || error.kind === 'bad-url') return new LookupError(`${host} may not be asked: ${error.message}`);
  return new LookupError(`Could not reach ${host}: ${error.message}`);
}

async function askWebFinger(ctx: FederationContext, user: string, host: string): Promise<OutboundResponse> {
  const path = `/.well-known/webfinger?resource=${encodeURIComponent(`acct:${user}@${host}`)}`;
  const ask = (scheme: string) => ctx.http.request(`${scheme}://${host}${path}`, { headers: { accept: 'application/jrd+json' }, maxBytes: JRD_LIMIT });
  try {
    return await ask('https');
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    // Fedify's own lookup always uses https. Loopback tests and local development run without TLS:
    // where private addresses are allowed, a host that cannot speak https is asked over http.
    if (error.kind !== 'network' || !ctx.config.allowPrivateAddresses) throw unreachable(host, error);
    return ask('http').catch((again: unknown) => {
      throw again instanceof OutboundError ? unreachable(host, again) : again;
    });
  }
}

async function webFinger(ctx: FederationContext, user: string, host: string): Promise<string> {
  const response = await askWebFinger(ctx, user, host);
  if (response.status === 404 || response.status === 410) throw new LookupError(`${host} knows nobody called ${user}.`, 404);
  if (response.status !== 200) throw new LookupError(`${host} could not say who ${user} is (WebFinger answered ${response.status}).`);
  let jrd: { links?: { rel?: unknown; type?: unknown; href?: unknown }[] };
  try {
    jrd = JSON.parse(response.body) as typeof jrd;
  } catch {
    throw new LookupError(`${host} answered WebFinger with something that is not JSON.`);
  }
  const self = Array.isArray(jrd.links) ? jrd.links.find((link) => link?.rel === 'self' && typeof link.type === 'string' && ACTOR_TYPES.has(link.type) && typeof link.href === 'string' && URL.canParse(link.href)) : undefined;
  if (!self) throw new LookupError(`${user}@${host} has no ActivityPub account.`, 404);
  return self.href as string;
}

function fetchFailure(url: URL, error: unknown): LookupError {
  if (!(error instanceof DocumentFetchError)) return new LookupError(`${url} is not an ActivityPub account.`, 422);
  if (error.failure === 'refused') return new LookupError(`${url.host} may not be asked: ${error.message}`);
  if (error.failure === 'unreachable') return new LookupError(`Could not reach ${url.host}: ${error.message}`);
  if (error.status === 404 || error.status === 410) return new LookupError(`There is nobody at ${url}.`, 404);
  if (error.failure === 'status') return new LookupError(`${url.host} answered ${error.status} for ${url}.`);
  return new LookupError(`${url} is not an ActivityPub account.`, 422);
}

/** Resolves a handle or URL to the actor as its own server serves it. */
export async function lookupRemoteActor(ctx: FederationContext, input: string): Promise<Actor> {
  let typed;
  try {
    typed = parseRemoteInput(input);
  } catch (error) {
    throw error instanceof RemotePersonError ? new LookupError(error.message, error.status) : error;
  }
  // Only http(s) addresses are fetched, by our own loader: Fedify would look up an acct: URI
  // itself, outside the address policy.
  const url = typed.handle ? new URL(await webFinger(ctx, typed.handle.user, typed.handle.host)) : typed.url!;
  const context = apFederationFor(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
  const found = await fetchObject(url, context).catch((error: unknown) => {
    throw fetchFailure(url, error);
  });
  if (!found || !isActor(found) || !found.id || !found.inboxId) throw new LookupError(`${url} is not a person's ActivityPub account.`, 422);
  return found;
}
