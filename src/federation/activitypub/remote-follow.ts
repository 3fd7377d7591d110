// ActivityPub's part of "Subscribe to someone on another server": the actor a handle or address
// names, shown as a person, with the Follow to send once she confirms.
import type { FederationContext } from '../context.ts';
import { findProfileByUri } from '../../domain/remote-profiles.ts';
import { getFollow } from '../../db/ap-follows.ts';
import type { RemoteFollowFinder } from '../remote-follow.ts';
import { sendFollow } from './follow.ts';
import { LookupError, lookupRemoteActor } from './lookup.ts';
import { fromActor } from './mapping.ts';

/** Finds ActivityPub actors; preferred over other protocols a server also speaks. */
export const apRemoteFollow: RemoteFollowFinder = {
  preference: 0,
  async find(ctx: FederationContext, input, viewer) {
    const actor = await lookupRemoteActor(ctx, input.text);
    const id = actor.id!;
    const { fields, profileUrl } = await fromActor(actor);
    const known = await findProfileByUri(ctx.db, id.href);
    if (known?.isLocal) throw new LookupError('That is someone on this site: open their profile and choose Subscribe.');
    const follow = known ? await getFollow(ctx.db, viewer.id, known.id) : undefined;
    return {
      id: id.href,
      nickname: fields.nickname,
      fullname: fields.fullname,
      bio: fields.bio,
      handle: `${fields.nickname}@${id.host}`,
      profileUrl,
      knownProfileId: known?.id,
      requestedAt: follow && !follow.accepted ? follow.createdAt : undefined,
      action: { kind: 'request', send: () => sendFollow(ctx, viewer.id, actor) },
    };
  },
};
