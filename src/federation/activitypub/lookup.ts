// Finding a person on another server from what someone types: @user@host (WebFinger, then the
// actor) or the URL of their profile or actor. Fetches go through the one HTTP client.
import { isActor } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { DomainContext } from '../../domain/context.ts';
import { OutboundError } from '../http-client.ts';
import { apHttpClientFor } from './client.ts';
import { apFederationFor } from './federation.ts';

/** Why a handle or URL could not be resolved to an ActivityPub actor. */
export class LookupError extends Error {}

const HANDLE = /^@?([\w.~+-]+)@([^@\s/?#]+)$/;
const ACTOR_TYPES = new Set(['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']);

/** The user and host of a fediverse handle (@user@host or user@host), or undefined. */
export function parseHandle(input: string): { user: string; host: string } | undefined {
  const match = HANDLE.exec(input.trim());
  return match ? { user: match[1]!, host: match[2]!.toLowerCase() } : undefined;
}

async function webFinger(ctx: DomainContext, user: string, host: string): Promise<string> {
  const client = apHttpClientFor(ctx.config);
  const path = `/.well-known/webfinger?resource=${encodeURIComponent(`acct:${user}@${host}`)}`;
  let response;
  try {
    response = await client.request(`https://${host}${path}`, { headers: { accept: 'application/jrd+json' }, maxBytes: 256 * 1024 });
  } catch (error) {
    // Fedify's own lookup always uses https. Loopback tests and local development run without TLS:
    // where private addresses are allowed, a host that cannot speak https is asked over http.
    if (!(error instanceof OutboundError) || error.kind !== 'network' || !ctx.config.allowPrivateAddresses) throw error;
    response = await client.request(`http://${host}${path}`, { headers: { accept: 'application/jrd+json' }, maxBytes: 256 * 1024 });
  }
  if (response.status !== 200) throw new LookupError(`${host} does not know ${user} (WebFinger answered ${response.status})`);
  let jrd: { links?: { rel?: unknown; type?: unknown; href?: unknown }[] };
  try {
    jrd = JSON.parse(response.body) as typeof jrd;
  } catch {
    throw new LookupError(`${host} answered WebFinger with something that is not JSON`);
  }
  const self = Array.isArray(jrd.links) ? jrd.links.find((link) => link?.rel === 'self' && typeof link.type === 'string' && ACTOR_TYPES.has(link.type) && typeof link.href === 'string') : undefined;
  if (!self) throw new LookupError(`${user}@${host} has no ActivityPub actor`);
  return self.href as string;
}

/** Resolves a handle or URL to the actor as its own server serves it. */
export async function lookupRemoteActor(ctx: DomainContext, input: string): Promise<Actor> {
  const handle = parseHandle(input);
  let url = handle ? await webFinger(ctx, handle.user, handle.host) : input.trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // Only http(s) addresses are fetched, by our own loader: Fedify would look up an acct: URI
  // itself, outside the address policy.
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) throw new LookupError('Type a handle like @user@example.social or the address of a profile.');
  url = parsed.href;
  const context = apFederationFor(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
  const found = await context.lookupObject(url, { crossOrigin: 'ignore' }).catch((error: unknown) => {
    throw new LookupError(`could not fetch ${url}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!found || !isActor(found) || !found.id || !found.inboxId) throw new LookupError(`${url} is not an ActivityPub actor`);
  return found;
}
