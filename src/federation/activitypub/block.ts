// Blocks over ActivityPub. Out: a local user's block (or its undoing) goes to the blocked actor's
// inbox as Block (or Undo(Block)), as Mastodon and others expect, so that their server stops
// delivering to her and drops its follows. In: a remote actor's Block of a local user ends the
// subscriptions between them both ways (their server has already dropped its side).
import type { Federation, InboxContext } from '@fedify/fedify';
import { Block, Undo } from '@fedify/fedify/vocab';
import type { JobHandler } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { blockedByRemote } from '../../domain/blocks.ts';
import { findLocalProfile, findLocalUser } from '../../domain/lookups.ts';
import { getApActorById, getApActorByProfileId } from '../../db/ap-actors.ts';
import { deleteFollow } from '../../db/ap-follows.ts';
import { queueDelivery } from './outbox-queue.ts';
import { INSTANCE_IDENTIFIER } from './paths.ts';

/** block.distribute: Block, or Undo(Block), from the local user to the remote actor (others' business when not an actor). */
export function distributeBlockWith(federationOf: (ctx: FederationContext) => Federation<FederationContext>): JobHandler<FederationContext> {
  return async (ctx, data) => {
    const user = await findLocalUser(ctx.db, Number(data.blockerId));
    const remote = await getApActorByProfileId(ctx.db, Number(data.blockedId));
    if (!user || !remote) return;
    const context = federationOf(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
    const me = context.getActorUri(user.nickname);
    const them = new URL(remote.actorId);
    const stamp = Date.now();
    const block = new Block({ id: new URL(`${me.href}#blocks/${remote.profileId}/${stamp}`), actor: me, object: them, to: them });
    const activity = data.undo === true ? new Undo({ id: new URL(`${me.href}#unblocks/${remote.profileId}/${stamp}`), actor: me, object: block, to: them }) : block;
    const json = (await activity.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
    // ctx.db is the core's transaction: the delivery exists exactly when this part succeeds.
    await queueDelivery(ctx, ctx.db, { sender: user.nickname, url: remote.inboxUrl, activity: json });
  };
}

/** Block: a remote actor we know blocks a local user; the subscriptions between them end. */
export async function onBlock(ctx: InboxContext<FederationContext>, block: Block): Promise<void> {
  if (!block.actorId || !block.objectId) return;
  const parsed = ctx.parseUri(block.objectId);
  if (parsed?.type !== 'actor' || parsed.identifier === INSTANCE_IDENTIFIER) return;
  const local = await findLocalProfile(ctx.data.db, parsed.identifier);
  const remote = await getApActorById(ctx.data.db, block.actorId.href);
  if (!local || !remote) return;
  await ctx.data.db.transaction(async (trx) => {
    await blockedByRemote(trx, remote.profileId, local.id);
    await deleteFollow(trx, local.id, remote.profileId); // a follow still waiting for their answer will not get one
  });
}
