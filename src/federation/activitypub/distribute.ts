// ActivityPub's part of notice.distribute and profile.distribute: render the activity once, then
// queue one delivery per follower server (its shared inbox), never one per follower.
import { Delete, Follow, PUBLIC_COLLECTION, Tombstone, Undo, Update } from '@fedify/fedify/vocab';
import type { Federation } from '@fedify/fedify';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { findLocalUser, findNotice } from '../../domain/lookups.ts';
import { getApActorByProfileId, listFollowerInboxes, listInboxesOfProfiles } from '../../db/ap-actors.ts';
import { deleteFollow } from '../../db/ap-follows.ts';
import { localPerson } from './actors.ts';
import { noticeUrl } from '../../domain/urls.ts';
import { addressingOf } from './addressing.ts';
import { toCreate } from './mapping.ts';
import { queueDeliveries, queueDelivery } from './outbox-queue.ts';
import { queueAnnounce, queueUndoAnnounce } from './announces.ts';

async function queueAll(ctx: FederationContext, sender: string, inboxes: string[], activity: Record<string, unknown>): Promise<void> {
  await queueDeliveries(ctx, ctx.db, inboxes.map((url) => ({ sender, url, activity })));
}

/** notice.distribute: a new local notice goes to its author's followers, and the people elsewhere it names or answers, as Create(Note) (a repeat as an Announce). */
export function distributeNoteWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const notice = await findNotice(ctx.db, Number(data.noticeId));
    if (!notice || !notice.isLocal) return; // deleted meanwhile, or arrived from elsewhere: never re-broadcast
    if (notice.repeatOf !== null) return queueAnnounce(ctx, federationOf(ctx), notice);
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const addressing = await addressingOf(context, notice);
    // The people it names or answers elsewhere get it even when they do not follow her.
    const inboxes = [...new Set([...(await listFollowerInboxes(ctx.db, notice.author.id)), ...addressing.inboxes])];
    if (inboxes.length === 0) return;
    const create = toCreate(context, notice, addressing);
    const activity = (await create.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueAll(ctx, notice.author.nickname, inboxes, activity);
  };
}

/** profile.distribute: a changed local profile goes to her followers as Update(Person). */
export function distributePersonWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const user = await findLocalUser(ctx.db, Number(data.profileId));
    if (!user) return;
    const inboxes = await listFollowerInboxes(ctx.db, user.id);
    if (inboxes.length === 0) return;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const person = await localPerson(context, user.nickname);
    if (!person) return;
    const actorId = context.getActorUri(user.nickname);
    const update = new Update({ id: new URL(`${actorId.href}#updates/${Date.now()}`), actor: actorId, object: person, to: PUBLIC_COLLECTION, cc: context.getFollowersUri(user.nickname) });
    const activity = (await update.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueAll(ctx, user.nickname, inboxes, activity);
  };
}

/** notice.retract: a deleted local notice is withdrawn as Delete(Tombstone) from her followers' servers and those of the people it addressed (a repeat by Undo(Announce)). */
export function distributeDeleteWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const author = await findLocalUser(ctx.db, Number(data.authorId));
    const id = Number(data.noticeId);
    if (!author || !Number.isSafeInteger(id)) return;
    if (data.repeatOf !== undefined) return queueUndoAnnounce(ctx, federationOf(ctx), author, id, Number(data.repeatOf));
    const addressed = Array.isArray(data.addressedIds) ? data.addressedIds.map(Number).filter(Number.isSafeInteger) : [];
    const inboxes = [...new Set([...(await listFollowerInboxes(ctx.db, author.id)), ...(await listInboxesOfProfiles(ctx.db, addressed))])];
    if (inboxes.length === 0) return;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const noteId = new URL(noticeUrl(ctx.config.publicUrl, id));
    const actor = context.getActorUri(author.nickname);
    const remove = new Delete({ id: new URL(`${noteId.href}#delete`), actor, object: new Tombstone({ id: noteId }), to: PUBLIC_COLLECTION, cc: context.getFollowersUri(author.nickname) });
    const activity = (await remove.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    await queueAll(ctx, author.nickname, inboxes, activity);
  };
}

/** subscription.end: a local user stopped following a remote actor, who is sent Undo(Follow). */
export function distributeUnfollowWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const user = await findLocalUser(ctx.db, Number(data.subscriberId));
    const remote = await getApActorByProfileId(ctx.db, Number(data.subscribedId));
    if (!user || !remote) return; // not an ActivityPub actor: another protocol's business
    await ctx.db.transaction(async (trx) => {
      const follow = await deleteFollow(trx, user.id, remote.profileId);
      const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
      const me = context.getActorUri(user.nickname);
      // The Follow as it was sent (its id is what the other side knows it by); one that predates
      // our records gets a fresh id, and servers also match an Undo by actor and object.
      const followId = new URL(follow?.followId ?? `${me.href}#follows/${Date.now()}`);
      const undo = new Undo({ id: new URL(`${followId.href}/undo`), actor: me, object: new Follow({ id: followId, actor: me, object: new URL(remote.actorId) }), to: new URL(remote.actorId) });
      const activity = (await undo.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
      await queueDelivery(ctx, trx, { sender: user.nickname, url: remote.inboxUrl, activity });
    });
  };
}
