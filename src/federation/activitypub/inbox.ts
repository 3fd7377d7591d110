// Inbox listeners (personal inboxes and the shared one). Fedify has already verified the HTTP
// signature, the digest, the date window and that the key's owner is the activity's actor; these
// store the minimum and queue any answer. Activities of other types are answered 202 and ignored.
import { randomUUID } from 'node:crypto';
import type { Federation, InboxContext } from '@fedify/fedify';
import { Accept, Announce, Block, Create, Delete, Flag, Follow, isActor, Like, Reject, Undo, Update } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { FederationContext } from '../context.ts';
import { findLocalProfile } from '../../domain/lookups.ts';
import type { ProfileRecord } from '../../domain/lookups.ts';
import { addSubscription, endSubscription } from '../../domain/subscriptions.ts';
import { RemoteOriginError } from '../../domain/remote-origins.ts';
import { SubscriptionRefusedError } from '../../domain/subscription-rules.ts';
import { ValidationError } from '../../errors.ts';
import { getApActorById } from '../../db/ap-actors.ts';
import { acceptFollow, deleteFollowById } from '../../db/ap-follows.ts';
import { fetchObject } from './loaders.ts';
import { onCreate, onDelete, onUpdate } from './notes.ts';
import { onDeleteOf } from './actor-delete.ts';
import { onBlock } from './block.ts';
import { onFlag } from './flag.ts';
import { onLike, onUndoLike } from './likes.ts';
import { onAnnounce, onUndoAnnounce } from './announces.ts';
import { persistActor } from './persist.ts';
import { queueDelivery } from './outbox-queue.ts';
import { INBOX_PATH, INSTANCE_IDENTIFIER, SHARED_INBOX_PATH } from './paths.ts';

type Ctx = InboxContext<FederationContext>;

// The local person an activity's object names, if it is one of ours.
async function localTarget(ctx: Ctx, objectId: URL | null): Promise<ProfileRecord | undefined> {
  const parsed = objectId ? ctx.parseUri(objectId) : null;
  if (parsed?.type !== 'actor' || parsed.identifier === INSTANCE_IDENTIFIER) return undefined;
  return findLocalProfile(ctx.data.db, parsed.identifier);
}

// The actor as its own server serves it now: never what an activity embeds about it.
async function fetchActor(ctx: Ctx, id: URL): Promise<Actor | undefined> {
  const found = await fetchObject(id, ctx).catch(() => null);
  return found && isActor(found) && found.id?.href === id.href && found.inboxId ? found : undefined;
}

/** Follow: the remote actor becomes a subscriber (her followers list shows @user@host), and an Accept is queued; a Reject when she may not (a block). */
export async function onFollow(ctx: Ctx, follow: Follow): Promise<void> {
  if (!follow.id || !follow.actorId) return;
  const local = await localTarget(ctx, follow.objectId);
  if (!local) return;
  const actor = await fetchActor(ctx, follow.actorId);
  if (!actor) return;
  const sender = ctx.getActorUri(local.nickname);
  const answer = async (Type: typeof Accept | typeof Reject, kind: string) =>
    (await new Type({ id: new URL(`${sender.href}#${kind}/${randomUUID()}`), actor: sender, object: follow, to: follow.actorId }).toJsonLd({ contextLoader: ctx.contextLoader, format: 'compact' })) as Record<string, unknown>;
  const inbox = actor.inboxId!.href;
  await ctx.data.db.transaction(async (trx) => {
    const profileId = await persistActor(ctx.data, trx, actor);
    const refused = await addSubscription(ctx.data, trx, profileId, local.id).then(
      () => false,
      (error: unknown) => (error instanceof SubscriptionRefusedError ? true : Promise.reject(error)),
    );
    const activity = refused ? await answer(Reject, 'rejects') : await answer(Accept, 'accepts');
    await queueDelivery(ctx.data, trx, { sender: local.nickname, url: inbox, activity });
  });
}

/** Undo: of a Follow, the remote actor stops subscribing; of a Like or an Announce, see likes.ts and announces.ts. */
export async function onUndo(ctx: Ctx, undo: Undo): Promise<void> {
  if (!undo.actorId) return;
  // An embedded object is only trusted from the Undo's own origin; others are fetched from theirs.
  const object = await undo.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, crossOrigin: 'ignore' }).catch(() => null);
  if (object instanceof Like) return onUndoLike(ctx, undo, object);
  if (object instanceof Announce) return onUndoAnnounce(ctx, undo, object);
  if (!(object instanceof Follow) || object.actorId?.href !== undo.actorId.href) return;
  const local = await localTarget(ctx, object.objectId);
  const remote = await getApActorById(ctx.data.db, undo.actorId.href);
  if (!local || !remote) return;
  await ctx.data.db.transaction((trx) => endSubscription(trx, remote.profileId, local.id));
}

/** Accept(Follow): a follow a local user sent is accepted, and her subscription starts. */
export async function onAccept(ctx: Ctx, accept: Accept): Promise<void> {
  if (!accept.actorId || !accept.objectId) return;
  const remote = await getApActorById(ctx.data.db, accept.actorId.href);
  if (!remote) return;
  const followId = accept.objectId.href;
  await ctx.data.db.transaction(async (trx) => {
    // Only the one who was followed can accept, and only the follow that was sent to them.
    const follow = await acceptFollow(trx, followId, remote.profileId);
    if (follow) await addSubscription(ctx.data, trx, follow.followerId, follow.followeeId);
  });
}

/** Reject(Follow): a follow is refused (pending) or withdrawn (accepted before): no subscription. */
export async function onReject(ctx: Ctx, reject: Reject): Promise<void> {
  if (!reject.actorId || !reject.objectId) return;
  const remote = await getApActorById(ctx.data.db, reject.actorId.href);
  if (!remote) return;
  const followId = reject.objectId.href;
  // Our Follow ids are the follower's actor id with a fragment: a Reject of one accepted earlier
  // names its follower. It can only end a subscription to the rejecting actor itself.
  const actorOfFollow = new URL(followId);
  actorOfFollow.hash = '';
  const follower = ctx.parseUri(actorOfFollow);
  const local = follower?.type === 'actor' ? await findLocalProfile(ctx.data.db, follower.identifier) : undefined;
  await ctx.data.db.transaction(async (trx) => {
    const follow = await deleteFollowById(trx, followId, remote.profileId);
    const followerId = follow?.followerId ?? local?.id;
    if (followerId !== undefined) await endSubscription(trx, followerId, remote.profileId);
  });
}

// A rule of ours refusing what the activity claims (an identity bound to another site, content
// the domain cannot store) drops the activity: answered 202 like any activity we ignore, never a 500.
function refusing<T>(listener: (ctx: Ctx, activity: T) => Promise<void>): (ctx: Ctx, activity: T) => Promise<void> {
  return async (ctx, activity) => {
    try {
      await listener(ctx, activity);
    } catch (error) {
      if (!(error instanceof RemoteOriginError) && !(error instanceof ValidationError) && !(error instanceof SubscriptionRefusedError)) throw error;
    }
  };
}

/** Registers the inboxes; fetches made while handling them are signed by the site's actor. */
export function registerInbox(federation: Federation<FederationContext>): void {
  federation
    .setInboxListeners(INBOX_PATH, SHARED_INBOX_PATH)
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_IDENTIFIER }))
    .on(Follow, refusing(onFollow))
    .on(Undo, refusing(onUndo))
    .on(Accept, refusing(onAccept))
    .on(Reject, refusing(onReject))
    .on(Create, refusing(onCreate))
    .on(Update, refusing(onUpdate))
    .on(Delete, refusing(onDeleteOf(onDelete)))
    .on(Like, refusing(onLike))
    .on(Announce, refusing(onAnnounce))
    .on(Block, refusing(onBlock))
    .on(Flag, refusing(onFlag));
}
