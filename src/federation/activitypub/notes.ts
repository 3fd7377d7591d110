// Notes from the people local users follow, or that answer or mention them: Create stores one
// (once, however often it is delivered) in its thread, among the replies of the local people its
// Mention tags name (a notice it answers that we lack is fetched by a job); Update(Note) edits its
// text and pictures, Delete withdraws it, Update(Person) refreshes the profile.
// Actors we know (first met through a follow or an earlier mention) are listened to; a stranger's
// note is taken only when it mentions or answers someone here, and the stranger is then fetched
// from their own server. An object is only taken from its own author: the domain refuses notices
// off their author's site.
import type { InboxContext } from '@fedify/fedify';
import { Create, Delete, Note, Update, isActor } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { changeRemoteProfile, editRemoteNotice, receiveRemoteNotice, withdrawRemoteNotice } from '../../domain/remote-profiles.ts';
import { findRepliedNotice } from '../../domain/remote-threads.ts';
import { getApActorById, getApActorWithProfile } from '../../db/ap-actors.ts';
import { withdrawRemoteMessage } from '../../domain/remote-messages.ts';
import { addressesPublic, onDirectNote } from './direct-notes.ts';
import { fetchObject } from './loaders.ts';
import { fromActor } from './mapping.ts';
import { loaders, noteBody, noteContext, notePage } from './note-content.ts';
import { queueParentFetch } from './ancestors.ts';
import { fetchActor, persistActor } from './persist.ts';
import { fromAttachments } from './attachments.ts';

type Ctx = InboxContext<FederationContext>;

// The activity's object, taken as embedded only when it is on its actor's own origin (whose
// signature the activity carries); one on another origin is fetched from there, never trusted.
async function objectOf(ctx: Ctx, activity: Create | Update): Promise<unknown> {
  const id = activity.objectId;
  if (!id || !activity.actorId) return null;
  if (id.origin === activity.actorId.origin) return activity.getObject(loaders(ctx)).catch(() => null);
  return fetchObject(id, ctx).catch(() => null);
}

/** Create(Note): a followed person's new notice lands in their followers' home timelines, a reply in its thread, a mention among her replies. */
export async function onCreate(ctx: Ctx, create: Create): Promise<void> {
  if (!create.actorId) return;
  const known = await getApActorWithProfile(ctx.data.db, create.actorId.href);
  const note = await objectOf(ctx, create);
  if (!(note instanceof Note) || !note.id || note.attributionId?.href !== create.actorId.href) return;
  const pictures = await fromAttachments(note, loaders(ctx));
  const html = noteBody(note, pictures);
  if (html === null) return;
  const url = notePage(note);
  if (known && html !== '' && (await onDirectNote(ctx, create, note, { authorProfileId: known.profileId, html, url }))) return; // a direct message: never a notice (nor pictures alone)
  // For the author's followers only: Ostrakon has no such notices yet. (Nor does it take direct
  // messages from strangers: people receive them only from those they follow.)
  if (!addressesPublic(create, note)) return;
  const context = await noteContext(ctx, note);
  // A stranger is listened to when they speak to someone here: the first contact introduces them.
  let stranger: Actor | undefined;
  if (!known) {
    const answersUs = (await findRepliedNotice(ctx.data, ctx.data.db, context.inReplyToUri))?.authorIsLocal === true;
    if (context.addressed.length === 0 && !answersUs) return;
    stranger = await fetchActor(ctx, create.actorId);
    if (!stranger) return;
  }
  // The domain sanitizes the HTML and checks its text like any remote notice's.
  await ctx.data.db.transaction(async (trx) => {
    const authorId = known?.profileId ?? (await persistActor(ctx.data, trx, stranger!));
    const stored = await receiveRemoteNotice(ctx.data, trx, { authorId, author: known?.profile, uri: note.id!.href, url, html, source: 'activitypub', pictures, ...context });
    // The notice it answers is fetched from its own server by a job, so that the inbox answers at once.
    if (stored.awaitedParent) await queueParentFetch(ctx.data, trx, stored.awaitedParent, 1);
  });
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

/** Update: of a Note, its author edits it (re-sanitized, its pictures those it lists now); of the actor itself, their profile is fetched again. */
export async function onUpdate(ctx: Ctx, update: Update): Promise<void> {
  if (!update.actorId || !update.objectId) return;
  const author = await getApActorById(ctx.data.db, update.actorId.href);
  if (!author) return;
  if (update.objectId.href === update.actorId.href) return onUpdatePerson(ctx, update.actorId, author.profileId);
  const note = await objectOf(ctx, update);
  if (!(note instanceof Note) || !note.id || note.attributionId?.href !== update.actorId.href) return;
  const pictures = await fromAttachments(note, loaders(ctx));
  const html = noteBody(note, pictures);
  if (html === null) return;
  const { addressed, summary } = await noteContext(ctx, note);
  // Only a notice stored under this author is changed: an edit of anyone else's finds nothing.
  await ctx.data.db.transaction((trx) => editRemoteNotice(ctx.data, trx, { authorId: author.profileId, uri: note.id!.href, html, pictures, addressed, summary }));
}

// Update(Person): the profile as its own server serves it now replaces what we had.
async function onUpdatePerson(ctx: Ctx, actorId: URL, profileId: number): Promise<void> {
  const actor = await fetchObject(actorId, ctx).catch(() => null);
  if (!actor || !isActor(actor) || actor.id?.href !== actorId.href) return;
  const { fields } = await fromActor(actor);
  await ctx.data.db.transaction((trx) => changeRemoteProfile(ctx.data, trx, profileId, fields));
}
