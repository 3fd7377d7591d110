// Notes from the people local users follow: Create stores one (once, however often it is
// delivered), Update(Note) is not kept yet, Delete withdraws it, Update(Person) refreshes the
// profile. Only actors we know (someone here follows them) are listened to, and an object is
// only taken from its own author: the domain refuses notices off their author's site.
import type { InboxContext } from '@fedify/fedify';
import { Create, Delete, Note, Update, isActor } from '@fedify/fedify/vocab';
import type { DomainContext } from '../../domain/context.ts';
import { changeRemoteProfile, receiveRemoteNotice, withdrawRemoteNotice } from '../../domain/remote-profiles.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { fromActor, plain } from './mapping.ts';

type Ctx = InboxContext<DomainContext>;

// The longest remote notice kept, in characters; longer ones are cut.
const MAX_NOTE_CHARACTERS = 5000;

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
  const text = plain(note.content?.toString(), MAX_NOTE_CHARACTERS);
  if (text === null) return;
  const url = note.url instanceof URL && /^https?:$/.test(note.url.protocol) ? note.url.href : null;
  await ctx.data.db.transaction((trx) => receiveRemoteNotice(ctx.data, trx, { authorId: author.profileId, uri: note.id!.href, url, content: text, source: 'activitypub' }));
}

/** Delete: a person withdraws one of their notices (a Tombstone or the Note's id). */
export async function onDelete(ctx: Ctx, remove: Delete): Promise<void> {
  if (!remove.actorId || !remove.objectId) return;
  const author = await getApActorById(ctx.data.db, remove.actorId.href);
  if (!author) return;
  const uri = remove.objectId.href;
  await ctx.data.db.transaction((trx) => withdrawRemoteNotice(trx, author.profileId, uri));
}

/** Update(Person): the person's profile, fetched again from their own server, replaces what we had. */
export async function onUpdate(ctx: Ctx, update: Update): Promise<void> {
  if (!update.actorId || update.objectId?.href !== update.actorId.href) return; // only Update(Person) of oneself for now
  const author = await getApActorById(ctx.data.db, update.actorId.href);
  if (!author) return;
  const actor = await ctx.lookupObject(update.actorId, { crossOrigin: 'ignore' }).catch(() => null);
  if (!actor || !isActor(actor) || actor.id?.href !== update.actorId.href) return;
  const { fields } = await fromActor(actor);
  await ctx.data.db.transaction((trx) => changeRemoteProfile(ctx.data, trx, author.profileId, fields));
}
