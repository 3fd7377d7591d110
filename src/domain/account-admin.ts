// What the site's operator does to accounts from the command line: reset a password, delete an
// account with everything it wrote (account-deletion.ts), list accounts. Registration itself is registerUser.
import { NotFoundError, ValidationError } from '../errors.ts';
import { deleteSessionsOfUser } from '../db/sessions.ts';
import { listUserSummaries } from '../db/user-admin.ts';
import type { UserSummary } from '../db/user-admin.ts';
import { getUserByNickname, updatePasswordHash } from '../db/users.ts';
import type { UserRecord } from '../db/records.ts';
import type { Db, DomainContext } from './context.ts';
import { removeAccount } from './account-deletion.ts';
import type { DeletedAccount } from './account-deletion.ts';
import { normalizeNickname } from './nicknames.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export type { UserSummary };

async function existingUser(ctx: DomainContext, rawNickname: string): Promise<UserRecord> {
  const nickname = normalizeNickname(rawNickname);
  const user = nickname && !nickname.includes('\0') ? await getUserByNickname(ctx.db, nickname) : undefined;
  if (!user) throw new NotFoundError(`There is no local user “${nickname}”.`);
  return user;
}

/** Replaces a user's password hash and ends every session of theirs (inside the caller's transaction); returns how many ended. */
export async function replacePassword(trx: Db, userId: number, hash: string): Promise<number> {
  await updatePasswordHash(trx, userId, hash);
  return deleteSessionsOfUser(trx, userId);
}

/** Sets a new password (same rules as registration) and signs the user out of every session. */
export async function resetPassword(ctx: DomainContext, rawNickname: string, password: string): Promise<{ user: UserRecord; sessionsEnded: number }> {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError({ password: problem });
  const user = await existingUser(ctx, rawNickname);
  const hash = await hashPassword(password, ctx.config.bcryptCost);
  const sessionsEnded = await ctx.db.transaction((trx) => replacePassword(trx, user.id, hash));
  return { user, sessionsEnded };
}

export type { DeletedAccount };

/** Deletes a local account by nickname (the command line): as its owner would, without the password. */
export async function deleteAccount(ctx: DomainContext, rawNickname: string): Promise<DeletedAccount> {
  return removeAccount(ctx, await existingUser(ctx, rawNickname));
}

/** Every local account with its notice count. */
export function listAccounts(ctx: DomainContext): Promise<UserSummary[]> {
  return listUserSummaries(ctx.db);
}
