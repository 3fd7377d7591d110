// A local user follows someone on an ActivityPub server: record them and a pending request, queue
// the Follow. The subscription starts when their Accept arrives (inbox.ts).
import { randomUUID } from 'node:crypto';
import { Follow } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { findLocalUser } from '../../domain/lookups.ts';
import { RemoteOriginError, sameSite } from '../../domain/remote-origins.ts';
import { checkMaySubscribe, SubscriptionRefusedError } from '../../domain/subscription-rules.ts';
import { upsertFollow } from '../../db/ap-follows.ts';
import { RemotePersonError } from '../remote-follow.ts';
import { apFederationFor } from './federation.ts';
import { persistActor } from './persist.ts';
import { queueDelivery } from './outbox-queue.ts';

/** Sends a Follow from a local user to an actor just fetched from its server; returns their profile id. */
export async function sendFollow(ctx: FederationContext, userId: number, actor: Actor): Promise<number> {
  const user = await findLocalUser(ctx.db, userId);
  if (!user) throw new RemotePersonError(403, 'Sign in first.');
  if (sameSite(actor.id!.href, ctx.config.publicUrl)) throw new RemotePersonError(400, 'That is someone on this site: open their profile and choose Subscribe.');
  const context = apFederationFor(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
  const me = context.getActorUri(user.nickname);
  const followId = `${me.href}#follows/${randomUUID()}`;
  const follow = new Follow({ id: new URL(followId), actor: me, object: actor.id });
  const activity = (await follow.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
  try {
    return await ctx.db.transaction(async (trx) => {
      const profileId = await persistActor(ctx, trx, actor);
      await checkMaySubscribe(trx, user.id, profileId); // a block or a blocked server: no Follow is sent
      await upsertFollow(trx, { followerId: user.id, followeeId: profileId, followId });
      await queueDelivery(ctx, trx, { sender: user.nickname, url: actor.inboxId!.href, activity });
      return profileId;
    });
  } catch (error) {
    // An actor claiming an identity we know on another site, or one a block or suspension keeps apart, is refused on the form.
    if (error instanceof RemoteOriginError || error instanceof SubscriptionRefusedError) throw new RemotePersonError(error.status, error.message);
    throw error;
  }
}
