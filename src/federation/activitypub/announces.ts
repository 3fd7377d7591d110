// Repeats over ActivityPub. Inbound, an Announce by someone local users follow (or of a local
// notice, by anyone) is stored as their repeat, the note fetched from its own server when we do
// not have it; Undo(Announce) takes it back. Outbound, a local repeat goes to the repeater's
// followers and the original's author as an Announce, and its removal as Undo(Announce).
import type { Context, Federation, InboxContext } from '@fedify/fedify';
import { Announce, Note, PUBLIC_COLLECTION, Undo } from '@fedify/fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { FederationContext } from '../context.ts';
import { findNotice, findNoticeByUri } from '../../domain/lookups.ts';
import type { NoticeRecord, UserRecord } from '../../domain/lookups.ts';
import { receiveRemoteNotice } from '../../domain/remote-profiles.ts';
import { isFollowedHere, receiveRemoteRepeat, withdrawRemoteRepeat } from '../../domain/repeats.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import { noticeUrl } from '../../domain/urls.ts';
import { getApActorById, getApActorByProfileId, listFollowerInboxes } from '../../db/ap-actors.ts';
import { noticeId } from './mapping.ts';
import { fromAttachments } from './attachments.ts';
import { fetchObject } from './loaders.ts';
import { queueParentFetch } from './ancestors.ts';
import { noteContext, noteHtml } from './note-content.ts';
import { queueDelivery } from './outbox-queue.ts';
import { localNoticeIdOf, profileOfActor } from './remote-actors.ts';

type Ctx = InboxContext<FederationContext>;

// A remote note as a notice of ours: the one stored under its id, or the note fetched from its own
// origin (never as embedded), its author recorded, and stored like any remote notice. Only a public
// note is repeated: one for its author's followers would be shown to everybody here.
async function noticeOfRemoteNote(ctx: Ctx, objectId: URL): Promise<number | undefined> {
  const stored = await findNoticeByUri(ctx.data.db, objectId.href);
  if (stored) return stored.id;
  const note = await fetchObject(objectId, ctx).catch(() => null);
  if (!(note instanceof Note) || note.id?.href !== objectId.href || !note.attributionId) return undefined;
  if (![...note.toIds, ...note.ccIds].some((id) => id.href === PUBLIC_COLLECTION.href)) return undefined;
  const pictures = await fromAttachments(note, ctx);
  const html = noteHtml(note) ?? (pictures.length > 0 && !note.content ? '' : null); // pictures alone are a notice
  const authorId = html === null ? undefined : await profileOfActor(ctx, note.attributionId);
  if (authorId === undefined || html === null) return undefined;
  const url = note.url instanceof URL && /^https?:$/.test(note.url.protocol) ? note.url.href : null;
  const uri = objectId.href;
  const context = await noteContext(ctx, note); // its thread, the people here it names, its content warning
  // The domain checks the note is on its author's site, sanitizes it and checks its text.
  const { noticeId: id } = await ctx.data.db.transaction(async (trx) => {
    const stored = await receiveRemoteNotice(ctx.data, trx, { authorId, uri, url, html, source: 'activitypub', pictures, ...context });
    if (stored.awaitedParent) await queueParentFetch(ctx.data, trx, stored.awaitedParent, 1); // a reply: the notice it answers too
    return stored;
  });
  return id ?? (await findNoticeByUri(ctx.data.db, uri))?.id; // stored meanwhile by another delivery
}

/** Announce: someone repeats a notice; it reaches their local subscribers' home timelines. */
export async function onAnnounce(ctx: Ctx, announce: Announce): Promise<void> {
  if (!announce.id || !announce.actorId || !announce.objectId) return;
  // The repeat is kept under the Announce's id: it must be on its actor's site.
  if (!sameSite(announce.id.href, announce.actorId.href)) return;
  const localId = localNoticeIdOf(ctx, announce.objectId);
  const known = await getApActorById(ctx.data.db, announce.actorId.href);
  const followed = known !== undefined && (await isFollowedHere(ctx.data.db, known.profileId));
  if (!followed && localId === undefined) return; // nobody here follows them, and it is not about our notices
  const profileId = known?.profileId ?? (await profileOfActor(ctx, announce.actorId));
  if (profileId === undefined) return;
  const repeated = localId ?? (await noticeOfRemoteNote(ctx, announce.objectId));
  if (repeated === undefined) return;
  const input = { profileId, noticeId: repeated, uri: announce.id.href, source: 'activitypub' };
  await ctx.data.db.transaction((trx) => receiveRemoteRepeat(ctx.data, trx, input));
}

/** Undo(Announce): the Announce's own actor takes the repeat back. */
export async function onUndoAnnounce(ctx: Ctx, undo: Undo, announce: Announce): Promise<void> {
  if (!undo.actorId || !announce.id || announce.actorId?.href !== undo.actorId.href) return;
  const remote = await getApActorById(ctx.data.db, undo.actorId.href);
  if (!remote) return;
  const uri = announce.id.href;
  await ctx.data.db.transaction((trx) => withdrawRemoteRepeat(trx, remote.profileId, uri));
}

/** The id of the Announce of a local repeat. */
export function announceId(publicUrl: string, repeatId: number): URL {
  return new URL(`${noticeUrl(publicUrl, repeatId)}#announce`);
}

/** The Announce of a local repeat of `original`. */
export function toAnnounce(ctx: Context<FederationContext>, repeat: NoticeRecord, original: URL, originalAuthor: URL | null = null): Announce {
  const actor = ctx.getActorUri(repeat.author.nickname);
  return new Announce({
    id: announceId(ctx.data.config.publicUrl, repeat.id),
    actor,
    object: original,
    published: Temporal.Instant.fromEpochMilliseconds(repeat.createdAt.getTime()),
    to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(repeat.author.nickname), ...(originalAuthor ? [originalAuthor] : [])],
  });
}

// Where a repeat of `original` goes (the repeater's followers' servers, and the original's author
// when elsewhere), and the original's id and author; undefined when ActivityPub cannot name it (a
// notice that came by OMB has no ActivityPub object).
async function announceTargets(ctx: FederationContext, repeaterId: number, original: NoticeRecord) {
  const object = noticeId(ctx.config.publicUrl, original);
  const author = original.isLocal ? undefined : await getApActorByProfileId(ctx.db, original.author.id);
  if (!object || (!original.isLocal && !author)) return undefined;
  const inboxes = new Set(await listFollowerInboxes(ctx.db, repeaterId));
  if (author) inboxes.add(author.sharedInboxUrl ?? author.inboxUrl);
  return { object, authorId: author ? new URL(author.actorId) : null, inboxes: [...inboxes] };
}

async function queueAll(ctx: FederationContext, sender: string, inboxes: string[], activity: Record<string, unknown>): Promise<void> {
  for (const url of inboxes) await queueDelivery(ctx, ctx.db, { sender, url, activity });
}

/** notice.distribute of a local repeat: an Announce to the repeater's followers and the original's author. */
export async function queueAnnounce(ctx: FederationContext, federation: Federation<FederationContext>, repeat: NoticeRecord): Promise<void> {
  const original = repeat.repeatOf === null ? undefined : await findNotice(ctx.db, repeat.repeatOf);
  const targets = original && (await announceTargets(ctx, repeat.author.id, original));
  if (!targets || targets.inboxes.length === 0) return;
  const context = federation.createContext(new URL(ctx.config.publicUrl), ctx);
  const announce = toAnnounce(context, repeat, targets.object, targets.authorId);
  const activity = (await announce.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
  await queueAll(ctx, repeat.author.nickname, targets.inboxes, activity);
}

/** notice.retract of a local repeat (its row is gone): Undo(Announce) to the same servers. */
export async function queueUndoAnnounce(ctx: FederationContext, federation: Federation<FederationContext>, repeater: UserRecord, repeatId: number, originalId: number): Promise<void> {
  const original = await findNotice(ctx.db, originalId);
  const targets = original && (await announceTargets(ctx, repeater.id, original));
  if (!targets || targets.inboxes.length === 0) return;
  const context = federation.createContext(new URL(ctx.config.publicUrl), ctx);
  const actor = context.getActorUri(repeater.nickname);
  const id = announceId(ctx.config.publicUrl, repeatId);
  const announce = new Announce({ id, actor, object: targets.object });
  const undo = new Undo({ id: new URL(`${id.href}/undo`), actor, object: announce, to: PUBLIC_COLLECTION, ccs: [context.getFollowersUri(repeater.nickname), ...(targets.authorId ? [targets.authorId] : [])] });
  const activity = (await undo.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
  await queueAll(ctx, repeater.nickname, targets.inboxes, activity);
}
