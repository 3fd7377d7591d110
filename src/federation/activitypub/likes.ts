// Favorites over ActivityPub: a Like of a local notice from another server counts on the notice
// (once, however often it arrives) and Undo(Like) takes it back; a local user's favorite of a
// remote notice is sent to its author's inbox as a Like, and taking it back as Undo(Like).
import type { Context, Federation, InboxContext } from '@fedify/fedify';
import { Like, Undo } from '@fedify/fedify/vocab';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { receiveRemoteFavorite, withdrawRemoteFavorite } from '../../domain/favorites.ts';
import { findLocalUser, findNotice } from '../../domain/lookups.ts';
import { getApActorById, getApActorByProfileId } from '../../db/ap-actors.ts';
import { queueDelivery } from './outbox-queue.ts';
import { localNoticeIdOf, profileOfActor } from './remote-actors.ts';

type Ctx = InboxContext<FederationContext>;

/** Like: someone elsewhere favorites a local notice. Likes of anything else are not ours to count. */
export async function onLike(ctx: Ctx, like: Like): Promise<void> {
  if (!like.id || !like.actorId) return;
  const noticeId = localNoticeIdOf(ctx, like.objectId);
  if (noticeId === undefined) return;
  const profileId = await profileOfActor(ctx, like.actorId);
  if (profileId === undefined) return;
  const uri = like.id.href;
  await ctx.data.db.transaction((trx) => receiveRemoteFavorite(ctx.data, trx, { profileId, noticeId, uri }));
}

/** Undo(Like): the Like's own actor takes the favorite back (found by its notice, or by the Like's id). */
export async function onUndoLike(ctx: Ctx, undo: Undo, like: Like): Promise<void> {
  if (!undo.actorId || like.actorId?.href !== undo.actorId.href) return;
  const remote = await getApActorById(ctx.data.db, undo.actorId.href);
  if (!remote) return;
  const target = { noticeId: localNoticeIdOf(ctx, like.objectId), uri: like.id?.href };
  await ctx.data.db.transaction((trx) => withdrawRemoteFavorite(trx, remote.profileId, target));
}

// The Like a local user's favorite is known by: unique to that favorite, so a favorite taken back
// and made again is a new Like (receivers drop an activity id they have seen).
function toLike(ctx: Context<FederationContext>, nickname: string, favoriteId: number, object: URL, author: URL): Like {
  const actor = ctx.getActorUri(nickname);
  return new Like({ id: new URL(`${actor.href}#likes/${favoriteId}`), actor, object, to: author });
}

// The user, the notice's URI and its author's actor, when the notice came from an ActivityPub server.
async function likeParts(ctx: FederationContext, data: Record<string, unknown>) {
  const user = await findLocalUser(ctx.db, Number(data.profileId));
  const notice = await findNotice(ctx.db, Number(data.noticeId));
  if (!user || !notice || notice.isLocal || !notice.uri) return undefined;
  const author = await getApActorByProfileId(ctx.db, notice.author.id);
  return author ? { user, object: new URL(notice.uri), author } : undefined; // an OMB notice: nobody to tell
}

/** favorite.distribute: a Like to the author of the remote notice favorited. */
export function distributeLikeWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const parts = await likeParts(ctx, data);
    if (!parts) return;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const like = toLike(context, parts.user.nickname, Number(data.favoriteId), parts.object, new URL(parts.author.actorId));
    const activity = (await like.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueDelivery(ctx, ctx.db, { sender: parts.user.nickname, url: parts.author.inboxUrl, activity });
  };
}

/** favorite.retract: Undo(Like) to the author of the remote notice, naming the Like that was sent. */
export function distributeUndoLikeWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const parts = await likeParts(ctx, data);
    if (!parts) return;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const authorId = new URL(parts.author.actorId);
    const like = toLike(context, parts.user.nickname, Number(data.favoriteId), parts.object, authorId);
    const undo = new Undo({ id: new URL(`${like.id!.href}/undo`), actor: like.actorId, object: like, to: authorId });
    const activity = (await undo.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueDelivery(ctx, ctx.db, { sender: parts.user.nickname, url: parts.author.inboxUrl, activity });
  };
}
