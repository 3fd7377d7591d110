// A local user follows someone on an ActivityPub server: resolve them, record them and a pending
// request, queue the Follow. The subscription starts when their Accept arrives (inbox.ts).
import { randomUUID } from 'node:crypto';
import { Follow } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { findLocalUser } from '../../domain/lookups.ts';
import { sameSite } from '../../domain/remote-origins.ts';
import { checkMaySubscribe } from '../../domain/subscription-rules.ts';
import { upsertFollow } from '../../db/ap-follows.ts';
import { apFederationFor } from './federation.ts';
import { LookupError, lookupRemoteActor } from './lookup.ts';
import { persistActor } from './persist.ts';
import { queueDelivery } from './outbox-queue.ts';

/** Sends a Follow from a local user to the person a handle or URL names; returns their profile id. */
export async function followRemote(ctx: FederationContext, userId: number, input: string): Promise<number> {
  const user = await findLocalUser(ctx.db, userId);
  if (!user) throw new LookupError('Sign in first.');
  if (input.trim() === '') throw new LookupError('Type a handle like @user@example.social or the address of a profile.');
  const actor = await lookupRemoteActor(ctx, input);
  if (sameSite(actor.id!.href, ctx.config.publicUrl)) throw new LookupError('That is someone on this site: open their profile and choose Subscribe.');
  const context = apFederationFor(ctx).createContext(new URL(ctx.config.publicUrl), ctx);
  const me = context.getActorUri(user.nickname);
  const followId = `${me.href}#follows/${randomUUID()}`;
  const follow = new Follow({ id: new URL(followId), actor: me, object: actor.id });
  const activity = (await follow.toJsonLd({ contextLoader: context.contextLoader, format: 'compact' })) as Record<string, unknown>;
  return ctx.db.transaction(async (trx) => {
    const profileId = await persistActor(ctx, trx, actor);
    await checkMaySubscribe(trx, user.id, profileId); // a block or a blocked server: no Follow is sent
    await upsertFollow(trx, { followerId: user.id, followeeId: profileId, followId });
    await queueDelivery(ctx, trx, { sender: user.nickname, url: actor.inboxId!.href, activity });
    return profileId;
  });
}
