// Deleted accounts over ActivityPub. Out: when a local account is deleted, the servers of its
// followers get Delete of the actor, signed with its keys (kept for this), and its actor id answers
// 410 with a Tombstone from then on (actors.ts). In: a remote actor's Delete of itself removes
// what they brought here; a Delete of anything else is a withdrawn notice (notes.ts).
import type { Federation, InboxContext } from '@fedify/fedify';
import { Delete, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { forgetRemotePerson } from '../../domain/remote-moderation.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { listInboxesOf } from '../../db/ap-recipients.ts';
import { queueDelivery } from './outbox-queue.ts';

type Ctx = InboxContext<FederationContext>;

/** account.delete: Delete(actor) to the inboxes of the deleted account's ActivityPub followers. */
export function distributeAccountDeleteWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const nickname = String(data.nickname);
    const subscriberIds = Array.isArray(data.subscriberIds) ? data.subscriberIds.map(Number).filter(Number.isSafeInteger) : [];
    if (!looksLikeNickname(nickname)) return;
    const inboxes = await listInboxesOf(ctx.db, subscriberIds);
    if (inboxes.length === 0) return;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const me = context.getActorUri(nickname);
    const remove = new Delete({ id: new URL(`${me.href}#delete`), actor: me, object: me, to: PUBLIC_COLLECTION });
    const activity = (await remove.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    for (const url of inboxes) await queueDelivery(ctx, ctx.db, { sender: nickname, url, activity });
  };
}

// A remote actor deleted itself: its notices and subscriptions go (the profile too, unless referred to).
async function onDeleteActor(ctx: Ctx, actorId: URL): Promise<void> {
  const remote = await getApActorById(ctx.data.db, actorId.href);
  if (!remote) return;
  await ctx.data.db.transaction((trx) => forgetRemotePerson(trx, remote.profileId));
}

/** The Delete listener: of the actor itself, their account is gone; of anything else, `onOther` handles it. */
export function onDeleteOf(onOther: (ctx: Ctx, remove: Delete) => Promise<void>): (ctx: Ctx, remove: Delete) => Promise<void> {
  return async (ctx, remove) => {
    if (remove.actorId && remove.objectId?.href === remove.actorId.href) return onDeleteActor(ctx, remove.actorId);
    return onOther(ctx, remove);
  };
}
