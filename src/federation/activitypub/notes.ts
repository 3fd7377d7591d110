// Notes from the people local users follow, or that answer or mention them: Create stores one
// (once, however often it is delivered) in its thread, among the replies of the local people its
// Mention tags name; Update(Note) edits it, Delete withdraws it, Update(Person) refreshes the profile.
// Actors we know (first met through a follow or an earlier mention) are listened to; a stranger's
// note is taken only when it mentions or answers someone here, and the stranger is then fetched
// from their own server. An object is only taken from its own author: the domain refuses notices
// off their author's site.
import type { InboxContext } from '@fedify/fedify';
import { Create, Delete, Mention, Note, Update, isActor } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { changeRemoteProfile, editRemoteNotice, receiveRemoteNotice, withdrawRemoteNotice } from '../../domain/remote-profiles.ts';
import { findRepliedNotice } from '../../domain/remote-threads.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { withdrawRemoteMessage } from '../../domain/remote-messages.ts';
import { addressesPublic, onDirectNote } from './direct-notes.ts';
import { fetchObject } from './loaders.ts';
import { fromActor } from './mapping.ts';
import { INSTANCE_IDENTIFIER } from './paths.ts';
import { persistActor } from './persist.ts';
import { fromAttachments } from './attachments.ts';

type Ctx = InboxContext<FederationContext>;

// The most HTML of one note we hand on; the domain's length rule decides on its text.
const MAX_NOTE_HTML = 100_000;

/** A note's content as HTML (quotes and polls are not shown yet), or null. */
export function noteHtml(note: Note): string | null {
  const content = note.content?.toString();
  if (!content || content.length > MAX_NOTE_HTML) return null;
  return content;
}

function loaders(ctx: Ctx) {
  return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'ignore' as const };
}

// The activity's object, taken as embedded only when it is on its actor's own origin (whose
// signature the activity carries); one on another origin is fetched from there, never trusted.
async function objectOf(ctx: Ctx, activity: Create | Update): Promise<unknown> {
  const id = activity.objectId;
  if (!id || !activity.actorId) return null;
  if (id.origin === activity.actorId.origin) return activity.getObject(loaders(ctx)).catch(() => null);
  return fetchObject(id, ctx).catch(() => null);
}

// More tags than any real note has are not read (each could be a fetch).
const MAX_TAGS = 100;

// The local person a Mention's href names: by actor id, or by profile page as some servers link.
function localNickname(ctx: Ctx, href: URL): string | undefined {
  const parsed = ctx.parseUri(href);
  if (parsed?.type === 'actor') return parsed.identifier === INSTANCE_IDENTIFIER ? undefined : parsed.identifier;
  const base = `${ctx.data.config.publicUrl}/`;
  return href.href.startsWith(base) ? /^([a-z0-9]{1,64})\/?$/.exec(href.href.slice(base.length))?.[1] : undefined;
}

/** What the note says besides its text: the local people its Mention tags name, the notice it answers, its content warning. */
export async function noteContext(ctx: Ctx, note: Note): Promise<{ addressed: string[]; inReplyToUri: string | null; summary: string | null }> {
  const addressed: string[] = [];
  let read = 0;
  try {
    for await (const tag of note.getTags({ ...loaders(ctx), suppressError: true })) {
      if (++read > MAX_TAGS) break;
      const nickname = tag instanceof Mention && tag.href ? localNickname(ctx, tag.href) : undefined;
      if (nickname) addressed.push(nickname);
    }
  } catch {
    // tags that cannot be read address nobody
  }
  return { addressed, inReplyToUri: note.replyTargetId?.href ?? null, summary: note.summary?.toString() ?? null };
}

// The actor as its own server serves it now: never what an activity embeds about it.
async function fetchActor(ctx: Ctx, id: URL): Promise<Actor | undefined> {
  const found = await fetchObject(id, ctx).catch(() => null);
  return found && isActor(found) && found.id?.href === id.href && found.inboxId ? found : undefined;
}

/** Create(Note): a followed person's new notice lands in their followers' home timelines, a reply in its thread, a mention among her replies. */
export async function onCreate(ctx: Ctx, create: Create): Promise<void> {
  if (!create.actorId) return;
  const known = await getApActorById(ctx.data.db, create.actorId.href);
  const note = await objectOf(ctx, create);
  if (!(note instanceof Note) || !note.id || note.attributionId?.href !== create.actorId.href) return;
  const pictures = await fromAttachments(note, loaders(ctx));
  const html = noteHtml(note) ?? (pictures.length > 0 && !note.content ? '' : null); // pictures alone are a notice
  if (html === null) return;
  const url = note.url instanceof URL && /^https?:$/.test(note.url.protocol) ? note.url.href : null;
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
    await receiveRemoteNotice(ctx.data, trx, { authorId, uri: note.id!.href, url, html, source: 'activitypub', pictures, ...context });
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

/** Update: of a Note, its author edits it (re-sanitized); of the actor itself, their profile is fetched again. */
export async function onUpdate(ctx: Ctx, update: Update): Promise<void> {
  if (!update.actorId || !update.objectId) return;
  const author = await getApActorById(ctx.data.db, update.actorId.href);
  if (!author) return;
  if (update.objectId.href === update.actorId.href) return onUpdatePerson(ctx, update.actorId, author.profileId);
  const note = await objectOf(ctx, update);
  if (!(note instanceof Note) || !note.id || note.attributionId?.href !== update.actorId.href) return;
  const html = noteHtml(note);
  if (html === null) return;
  const { addressed, summary } = await noteContext(ctx, note);
  // Only a notice stored under this author is changed: an edit of anyone else's finds nothing.
  await ctx.data.db.transaction((trx) => editRemoteNotice(ctx.data, trx, { authorId: author.profileId, uri: note.id!.href, html, addressed, summary }));
}

// Update(Person): the profile as its own server serves it now replaces what we had.
async function onUpdatePerson(ctx: Ctx, actorId: URL, profileId: number): Promise<void> {
  const actor = await fetchObject(actorId, ctx).catch(() => null);
  if (!actor || !isActor(actor) || actor.id?.href !== actorId.href) return;
  const { fields } = await fromActor(actor);
  await ctx.data.db.transaction((trx) => changeRemoteProfile(ctx.data, trx, profileId, fields));
}
