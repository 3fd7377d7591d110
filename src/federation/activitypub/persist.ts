// Remote actors: fetched from their own server, and recorded in our tables as a remote profile (bound to the actor's own site) and its inboxes.
import type { Context } from '@fedify/fedify';
import { isActor } from '@fedify/fedify/vocab';
import type { Actor } from '@fedify/fedify/vocab';
import type { Db } from '../../domain/context.ts';
import type { FederationContext } from '../context.ts';
import { changeRemoteProfile, saveRemoteProfile } from '../../domain/remote-profiles.ts';
import { upsertApActor } from '../../db/ap-actors.ts';
import { fetchObject } from './loaders.ts';
import { fromActor } from './mapping.ts';

/** The actor as its own server serves it now (never what an activity embeds about it), or undefined. */
export async function fetchActor(ctx: Context<FederationContext>, id: URL): Promise<Actor | undefined> {
  const found = await fetchObject(id, ctx).catch(() => null);
  return found && isActor(found) && found.id?.href === id.href && found.inboxId ? found : undefined;
}

/** Records a remote actor as a remote profile with its inboxes; returns the profile id. */
export async function persistActor(ctx: FederationContext, trx: Db, actor: Actor): Promise<number> {
  const { fields, profileUrl } = await fromActor(actor);
  const actorId = actor.id!.href;
  const profileId = await saveRemoteProfile(ctx, trx, actorId, profileUrl, fields);
  // Just fetched from its own server: what it says of itself now is current.
  await changeRemoteProfile(ctx, trx, profileId, fields);
  await upsertApActor(trx, {
    profileId,
    actorId,
    inboxUrl: actor.inboxId!.href,
    sharedInboxUrl: actor.endpoints?.sharedInbox?.href ?? null,
    handle: `${fields.nickname}@${new URL(actorId).host}`,
  });
  return profileId;
}

