// Moderating people on other servers: the actions local people get (silence, suspend) apply to
// them too. A silenced remote person's notices stay off tag pages and search; a suspended one's
// content is removed, their subscriptions end both ways, their profile answers 410, and their
// server's pushes and activities for them are refused. Also what happens when a remote person
// deletes their account at home.
import { NotFoundError } from '../errors.ts';
import { insertLogEntry } from '../db/moderation.ts';
import type { ProfileRecord, UserRecord } from '../db/records.ts';
import { deleteRemoteNoticesOf, deleteRemoteSubscriptionsOf } from '../db/remote-purge.ts';
import { getRemoteProfileById } from '../db/remote-profiles.ts';
import { deleteUnreferencedRemoteProfiles } from '../db/user-admin.ts';
import type { Db, DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { applyPersonAction, cleanNote } from './moderation.ts';
import type { PersonAction } from './moderation.ts';
import { siteName } from './remote-origins.ts';

/** How moderators name a remote person: nickname@site. */
export function remoteHandle(profile: Pick<ProfileRecord, 'nickname' | 'profileUrl' | 'uri'>): string {
  return `${profile.nickname}@${siteName(profile.profileUrl ?? profile.uri)}`;
}

/** A remote profile by the id in a moderation URL, or 404. */
export async function remotePersonForModeration(ctx: DomainContext, rawId: string): Promise<ProfileRecord> {
  const id = parseId(rawId);
  const profile = id === undefined ? undefined : await getRemoteProfileById(ctx.db, id);
  if (!profile) throw new NotFoundError('We know nobody on another server by that number.');
  return profile;
}

/** Silences, suspends or lifts either for a remote person, logged with the moderator's note. */
export async function moderateRemotePerson(ctx: DomainContext, actor: UserRecord, rawId: string, action: PersonAction, rawNote: string): Promise<ProfileRecord> {
  const note = cleanNote(rawNote);
  const target = await remotePersonForModeration(ctx, rawId);
  await ctx.db.transaction(async (trx) => {
    await applyPersonAction(trx, target.id, action);
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action, targetId: target.id, targetName: remoteHandle(target), note });
  });
  return target;
}

/**
 * A remote person deleted their account at home (ActivityPub's Delete of the actor): their notices
 * and subscriptions go, and so does the profile unless something still refers to it (a report, a
 * mention in someone else's notice). Returns whether the profile itself was removed.
 */
export async function forgetRemotePerson(trx: Db, profileId: number): Promise<boolean> {
  await deleteRemoteNoticesOf(trx, [profileId]);
  await deleteRemoteSubscriptionsOf(trx, [profileId]);
  return (await deleteUnreferencedRemoteProfiles(trx, [profileId], { evenActors: true })) > 0;
}
