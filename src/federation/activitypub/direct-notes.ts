// Direct messages over ActivityPub, inbound. A Create(Note) addressed to someone, but neither to
// Public nor to its author's followers collection, is a direct message: it goes to the inboxes of
// the addressed local users (the domain decides who may receive it) and never becomes a notice, so
// no timeline, feed, search, tag or conversation page can show it. One that nobody here may receive
// (or that is for people elsewhere only) is dropped, never stored as a notice instead.
import type { InboxContext } from '@fedify/fedify';
import { isActor, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { Create, Note } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { findLocalProfile } from '../../domain/lookups.ts';
import { receiveRemoteMessage } from '../../domain/remote-messages.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { fetchObject } from './loaders.ts';
import { INSTANCE_IDENTIFIER } from './paths.ts';

type Ctx = InboxContext<FederationContext>;

// No direct message goes to more people than this; the rest of a longer list is not looked at.
const MAX_ADDRESSEES = 50;

// Everyone the activity and its note are addressed to, once each.
function addresseesOf(create: Create, note: Note): URL[] {
  const all = [create, note].flatMap((object) => [...object.toIds, ...object.ccIds, ...object.btoIds, ...object.bccIds, ...object.audienceIds]);
  return [...new Map(all.map((url) => [url.href, url])).values()];
}

/**
 * Whether the note may be shown to everyone: addressed to Public (in to or cc: "unlisted" notes
 * are public too). Ostrakon's notices are all public, so a note for the author's followers only
 * is not stored as one: shown on public pages it would leak what its author meant for few.
 */
export function addressesPublic(create: Create, note: Note): boolean {
  return addresseesOf(create, note).some((url) => url.href === PUBLIC_COLLECTION.href);
}

// The author's followers collection as their server serves the actor now; undefined when it cannot be read.
async function followersOf(ctx: Ctx, actorId: URL): Promise<string | undefined> {
  const actor = await fetchObject(actorId, ctx).catch(() => null);
  return actor && isActor(actor) && actor.id?.href === actorId.href ? actor.followersId?.href : undefined;
}

/**
 * The local profiles a direct Note is addressed to (maybe none: then it is dropped), or undefined
 * when the Note is no direct message: public, for the author's followers, or addressed to nobody.
 */
export async function directRecipients(ctx: Ctx, create: Create, note: Note, authorId: URL): Promise<number[] | undefined> {
  const addressees = addresseesOf(create, note);
  if (addressees.length === 0 || addressees.some((url) => url.href === PUBLIC_COLLECTION.href)) return undefined;
  // Most servers name the followers collection after the actor; others are asked for theirs.
  if (addressees.some((url) => url.href === `${authorId.href}/followers`)) return undefined;
  const local: number[] = [];
  const unknown: URL[] = [];
  for (const url of addressees.slice(0, MAX_ADDRESSEES)) {
    const parsed = ctx.parseUri(url);
    if (parsed?.type === 'actor' && parsed.identifier !== INSTANCE_IDENTIFIER) {
      const profile = await findLocalProfile(ctx.data.db, parsed.identifier);
      if (profile) local.push(profile.id);
    } else if (!parsed && !(await getApActorById(ctx.data.db, url.href))) {
      unknown.push(url);
    }
  }
  // An address that is nobody we know may be the author's followers collection. If their actor
  // cannot be read, the note stays private: a message lost is better than one shown to everyone.
  if (unknown.length > 0) {
    const followers = await followersOf(ctx, authorId);
    if (followers !== undefined && unknown.some((url) => url.href === followers)) return undefined;
  }
  return local;
}

/**
 * Receives the Note of a Create as a direct message when it is one, and says whether it was (then
 * the notes handler stops, whether or not anyone here could receive it).
 */
export async function onDirectNote(ctx: Ctx, create: Create, note: Note, input: { authorProfileId: number; html: string; url: string | null }): Promise<boolean> {
  if (!create.actorId || !note.id) return false;
  const recipientIds = await directRecipients(ctx, create, note, create.actorId);
  if (recipientIds === undefined) return false;
  const uri = note.id.href;
  await ctx.data.db.transaction((trx) =>
    receiveRemoteMessage(ctx.data, trx, { senderId: input.authorProfileId, recipientIds, uri, url: input.url, html: input.html, source: 'activitypub' }),
  );
  return true;
}
