// Notes from the people local users follow: Create stores one (once, however often it is
// delivered), Update(Note) edits it, Delete withdraws it, Update(Person) refreshes the profile.
// Only actors we know (someone here follows them) are listened to, and an object is only taken
// from its own author: the domain refuses notices off their author's site.
import type { InboxContext } from '@fedify/fedify';
import { Create, Delete, Note, Update, isActor } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { changeRemoteProfile, editRemoteNotice, receiveRemoteNotice, withdrawRemoteNotice } from '../../domain/remote-profiles.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { withdrawRemoteMessage } from '../../domain/remote-messages.ts';
import { addressesPublic, onDirectNote } from './direct-notes.ts';
import { fromActor } from './mapping.ts';

type Ctx = InboxContext<FederationContext>;

// The most HTML of one note we hand on; the domain's length rule decides on its text.
const MAX_NOTE_HTML = 100_000;

// A note's content as HTML (content warnings, attachments, quotes and polls are not shown yet), or null.
function noteHtml(note: Note): string | null {
  const content = note.content?.toString();
  if (!content || content.length > MAX_NOTE_HTML) return null;
  return content;
}

function loaders(ctx: Ctx) {
  return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'ignore' as const };
}

/** Create(Note): a followed person's new notice lands in their followers' home timelines. */
export async function onCreate(ctx: Ctx, create: Create): Promise<void> {
  if (!create.actorId) return;
  const author = await getApActorById(ctx.data.db, create.actorId.href);
  if (!author) return;
  const note = await create.getObject(loaders(ctx)).catch(() => null);
  if (!(note instanceof Note) || !note.id || note.attributionId?.href !== create.actorId.href) return;
  const html = noteHtml(note);
  if (html === null) return;
  const url = note.url instanceof URL && /^https?:$/.test(note.url.protocol) ? note.url.href : null;
  if (await onDirectNote(ctx, create, note, { authorProfileId: author.profileId, html, url })) return; // a direct message: never a notice
  if (!addressesPublic(create, note)) return; // for the author's followers only: Ostrakon has no such notices yet
  // The domain sanitizes the HTML and checks its text like any remote notice's.
  await ctx.data.db.transaction((trx) => receiveRemoteNotice(ctx.data, trx, { authorId: author.profileId, uri: note.id!.href, url, html, source: 'activitypub' }));
}

/** Delete: a person withdraws one of their notices (a Tombstone or the Note's id). */
export async function onDelete(ctx: Ctx, remove: Delete): Promise<void> {
  if (!remove.actorId || !remove.objectId) return;
  const author = await getApActorById(ctx.data.db, remove.actorId.href);
  if (!author) return;
  const uri = remove.objectId.href;
  await ctx.data.db.transaction((trx) => withdrawRemoteNotice(trx, author.profileId, uri));
  await withdrawRemoteMessage(ctx.data.db, author.profileId, uri);
}

/** Update: of a Note, its author edits it (re-sanitized); of the actor itself, their profile is fetched again. */
export async function onUpdate(ctx: Ctx, update: Update): Promise<void> {
  if (!update.actorId || !update.objectId) return;
  const author = await getApActorById(ctx.data.db, update.actorId.href);
  if (!author) return;
  if (update.objectId.href === update.actorId.href) return onUpdatePerson(ctx, update.actorId, author.profileId);
  const note = await update.getObject(loaders(ctx)).catch(() => null);
  if (!(note instanceof Note) || !note.id || note.attributionId?.href !== update.actorId.href) return;
  const html = noteHtml(note);
  if (html === null) return;
  // Only a notice stored under this author is changed: an edit of anyone else's finds nothing.
  await ctx.data.db.transaction((trx) => editRemoteNotice(ctx.data, trx, { authorId: author.profileId, uri: note.id!.href, html }));
}

// Update(Person): the profile as its own server serves it now replaces what we had.
async function onUpdatePerson(ctx: Ctx, actorId: URL, profileId: number): Promise<void> {
  const actor = await ctx.lookupObject(actorId, { crossOrigin: 'ignore' }).catch(() => null);
  if (!actor || !isActor(actor) || actor.id?.href !== actorId.href) return;
  const { fields } = await fromActor(actor);
  await ctx.data.db.transaction((trx) => changeRemoteProfile(ctx.data, trx, profileId, fields));
}
