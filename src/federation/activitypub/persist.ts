// Remote actors into our tables: a remote profile (bound to the actor's own site) and its inboxes.
import type { Actor } from '@fedify/fedify/vocab';
import type { Db, DomainContext } from '../../domain/context.ts';
import { changeRemoteProfile, saveRemoteProfile } from '../../domain/remote-profiles.ts';
import { upsertApActor } from '../../db/ap-actors.ts';
import { fromActor } from './mapping.ts';

/** Records a remote actor as a remote profile with its inboxes; returns the profile id. */
export async function persistActor(ctx: DomainContext, trx: Db, actor: Actor): Promise<number> {
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

