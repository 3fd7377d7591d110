// "Subscribe to someone on another server": what a person types (@user@host, or the address of a
// profile) is resolved by every protocol that can follow people, at once; the one preferred among
// those that found the person wins (ActivityPub before OMB 0.1). People on this site, the person
// herself and people she already reads are told apart before anything is sent.
import type { DomainContext } from '../domain/context.ts';
import { findLocalProfile } from '../domain/lookups.ts';
import { sameSite } from '../domain/remote-origins.ts';
import { viewerSubscribes } from '../domain/subscriptions.ts';
import { domainBlockOf } from '../domain/domain-blocks.ts';
import { checkMaySubscribe, SubscriptionRefusedError } from '../domain/subscription-rules.ts';
import { HttpError } from '../errors.ts';
import type { FederationContext } from './context.ts';

/** Why a handle or address could not be followed; the message is for the person who typed it. */
export class RemotePersonError extends HttpError {}

/** What was typed: a handle (@user@host), or an http(s) address. */
export type RemoteInput = { text: string; handle: { user: string; host: string } | undefined; url: URL | undefined };

/** Who asks: the signed-in user. */
export type RemoteViewer = { id: number; nickname: string };

/** How the subscription goes on: a request we send now, or a step on their server (OMB's remote subscribe). */
export type RemoteFollowAction = { kind: 'request'; send: () => Promise<number> } | { kind: 'elsewhere'; url: string };

/** A person a protocol found. */
export type FoundPerson = {
  /** What names them to that protocol (an actor id, a profile URL): what the confirmation posts back. */
  id: string;
  nickname: string;
  fullname: string | null;
  /** Plain text. */
  bio: string | null;
  /** user@host as people write it. */
  handle: string;
  /** Their page on their own server. */
  profileUrl: string;
  /** The profile we keep for them already, if we have met. */
  knownProfileId: number | undefined;
  /** When a request sent earlier is still waiting for their answer. */
  requestedAt: Date | undefined;
  action: RemoteFollowAction;
};

export type RemotePerson = FoundPerson & { protocol: string };

/** A protocol's way of finding people: undefined when what was typed is not one of its people. */
export type RemoteFollowFinder = {
  /** Among protocols that found the same person, the lowest wins (and its error is the one shown when none did). */
  readonly preference: number;
  find(ctx: FederationContext, input: RemoteInput, viewer: RemoteViewer): Promise<FoundPerson | undefined>;
};

type WithFinder = { readonly name: string; readonly remoteFollow?: RemoteFollowFinder };

const HANDLE = /^@?([\w.~+-]+)@([^@\s/?#]+)$/;
const HOW = 'Type a handle like @user@example.social or the address of a profile.';

/** The user and host of a fediverse handle (@user@host or user@host), or undefined. */
export function parseHandle(text: string): { user: string; host: string } | undefined {
  const match = HANDLE.exec(text.trim());
  return match ? { user: match[1]!, host: match[2]!.toLowerCase() } : undefined;
}

/** What was typed, read as a handle or an http(s) address; 400 for anything else. */
export function parseRemoteInput(raw: string): RemoteInput {
  const text = raw.trim();
  if (text === '') throw new RemotePersonError(400, HOW);
  const handle = parseHandle(text);
  if (handle) return { text, handle, url: undefined };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new RemotePersonError(400, HOW);
  return { text, handle: undefined, url };
}

// The local nickname a handle or address on this site names (its profile page or actor id).
function localNickname(ctx: DomainContext, input: RemoteInput): string | undefined {
  const own = new URL(ctx.config.publicUrl);
  if (input.handle) return input.handle.host === own.host.toLowerCase() ? input.handle.user.toLowerCase() : undefined;
  if (!input.url || !sameSite(input.url.href, own.href)) return undefined;
  const path = input.url.pathname.slice(own.pathname.replace(/\/$/, '').length);
  return /^\/(?:users\/|@)?([A-Za-z0-9]{1,64})\/?$/.exec(path)?.[1]?.toLowerCase() ?? '';
}

// Someone on this site is subscribed to here, not through another server.
async function refuseLocal(ctx: DomainContext, input: RemoteInput, viewer: RemoteViewer): Promise<void> {
  const nickname = localNickname(ctx, input);
  if (nickname === undefined) return;
  if (nickname === viewer.nickname) throw new RemotePersonError(400, 'That is you.');
  const profile = nickname === '' ? undefined : await findLocalProfile(ctx.db, nickname);
  if (!profile) throw new RemotePersonError(404, `There is nobody at ${input.text} on this site.`);
  throw new RemotePersonError(400, `${profile.nickname} is on this site: open their profile and choose Subscribe.`);
}

/**
 * The person a handle or address names, found by the preferred protocol that knows them (only
 * `protocolName`'s when given). 400 for what is no handle or address, or names someone here or her;
 * 404 for nobody; 409 when she reads them already; otherwise what the preferred protocol said.
 */
export async function findRemotePerson(protocols: readonly WithFinder[], ctx: FederationContext, viewer: RemoteViewer, raw: string, protocolName?: string): Promise<RemotePerson> {
  const input = parseRemoteInput(raw);
  await refuseLocal(ctx, input, viewer);
  // Nothing is asked of a server this site has cut off.
  const blocked = await domainBlockOf(ctx.db, input.url?.href ?? `https://${input.handle!.host}/`);
  if (blocked?.severity === 'suspend') throw new RemotePersonError(403, `This site does not federate with ${blocked.host}.`);
  const finders = protocols
    .filter((protocol) => protocol.remoteFollow && (protocolName === undefined || protocol.name === protocolName))
    .sort((a, b) => a.remoteFollow!.preference - b.remoteFollow!.preference);
  const outcomes = await Promise.allSettled(finders.map((protocol) => protocol.remoteFollow!.find(ctx, input, viewer)));
  const foundAt = outcomes.findIndex((outcome) => outcome.status === 'fulfilled' && outcome.value !== undefined);
  if (foundAt < 0) {
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason; // the preferred protocol's reason (anything but a RemotePersonError is our bug)
    throw new RemotePersonError(404, `Nobody was found at ${input.text}.`);
  }
  const person = { ...(outcomes[foundAt] as PromiseFulfilledResult<FoundPerson>).value, protocol: finders[foundAt]!.name };
  if (person.knownProfileId !== undefined && (await viewerSubscribes(ctx, viewer.id, person.knownProfileId))) {
    throw new RemotePersonError(409, `You already subscribe to ${person.handle}.`);
  }
  if (person.knownProfileId !== undefined) {
    // A block either way, or a suspension: said on the form before any confirmation.
    await checkMaySubscribe(ctx.db, viewer.id, person.knownProfileId).catch((error: unknown) => {
      throw error instanceof SubscriptionRefusedError ? new RemotePersonError(403, error.message) : error;
    });
  }
  return person;
}
