// Leaving: a person deletes their own account (with their password), or the operator deletes one
// from the command line. Everything it wrote and everything that hung on it goes in one
// transaction; its remote subscribers' servers are told (ActivityPub's Delete of the actor; OMB 0.1
// has no message for it); its nickname is reserved for good, because other servers still know the
// account by addresses made from it, and a newcomer under the same name would inherit them.
import { ForbiddenError, ValidationError } from '../errors.ts';
import { getDeletedAccountId, insertDeletedAccount } from '../db/deleted-accounts.ts';
import type { UserRecord } from '../db/records.ts';
import { deleteSessionsOfUser } from '../db/sessions.ts';
import { deleteProfile, deleteUnreferencedRemoteProfiles, listRemoteContacts, listRemoteSubscriberIds } from '../db/user-admin.ts';
import { getUserById } from '../db/users.ts';
import { deleteAvatarFiles } from './avatar-files.ts';
import type { Db, DomainContext } from './context.ts';
import { ACCOUNT_DELETE_JOB } from './jobs.ts';
import { verifyPassword } from './passwords.ts';

export type DeletedAccount = { user: UserRecord; notices: number; sessionsEnded: number; remoteProfilesRemoved: number };

/**
 * Deletes a local account with its notices, subscriptions (both ways), sessions, avatar and
 * federation credentials; remote profiles that only this account knew go too. The nickname stays
 * reserved, and a job tells the remote subscribers' servers.
 */
export async function removeAccount(ctx: DomainContext, user: UserRecord): Promise<DeletedAccount> {
  const deleted = await ctx.db.transaction(async (trx) => {
    const contacts = await listRemoteContacts(trx, user.id);
    const subscriberIds = await listRemoteSubscriberIds(trx, user.id);
    await insertDeletedAccount(trx, user.nickname, user.id);
    const sessionsEnded = await deleteSessionsOfUser(trx, user.id);
    const notices = await deleteProfile(trx, user.id);
    const remoteProfilesRemoved = await deleteUnreferencedRemoteProfiles(trx, contacts);
    if (subscriberIds.length > 0) await ctx.jobs.send(trx, ACCOUNT_DELETE_JOB, { profileId: user.id, nickname: user.nickname, subscriberIds });
    return { user, notices, sessionsEnded, remoteProfilesRemoved };
  });
  await deleteAvatarFiles(ctx.config, user.avatarKey); // after the commit: a rolled-back deletion keeps its picture
  return deleted;
}

/** A signed-in person deletes their own account after typing their password (400 when it is wrong). */
export async function deleteOwnAccount(ctx: DomainContext, userId: number, password: string): Promise<DeletedAccount> {
  const user = await getUserById(ctx.db, userId);
  if (!user) throw new ForbiddenError('Sign in first.');
  if (password === '') throw new ValidationError({ password: 'Type your password to confirm.' });
  if (!(await verifyPassword(password, user.passwordHash))) throw new ValidationError({ password: 'That is not your password.' });
  return removeAccount(ctx, user);
}

/** The former id of a deleted local account with this nickname (its keys still sign its Delete), or undefined. */
export function deletedAccountId(db: Db, nickname: string): Promise<number | undefined> {
  return getDeletedAccountId(db, nickname);
}
