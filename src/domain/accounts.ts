// Accounts: registration, signing in and changing a password.
import { ForbiddenError, ValidationError } from '../errors.ts';
import { getUserById, getUserByNickname, insertUser, updatePasswordHash } from '../db/users.ts';
import type { UserRecord } from '../db/records.ts';
import { deleteOtherSessionsOfUser } from '../db/sessions.ts';
import type { DomainContext } from './context.ts';
import { nicknameProblem, normalizeNickname } from './nicknames.ts';
import { hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { isUniqueViolation } from './db-errors.ts';
import { isInviteUsable, spendInvite } from '../db/invites.ts';
import { getDeletedAccountId } from '../db/deleted-accounts.ts';
import { emailProblem, queueConfirmation } from './email-addresses.ts';

export type { UserRecord };

export type Registration = { nickname: string; password: string; confirm?: string; email?: string; inviteCode?: string; reason?: string };

/** Longest reason a person may give when asking to join in approval mode. */
export const SIGNUP_REASON_MAX_LENGTH = 500;

const INVITE_SPENT = 'This invite link has already been used or has expired. Ask for a new one.';

/** Whether an invite code can still be used to register. */
export async function inviteUsable(ctx: DomainContext, code: string): Promise<boolean> {
  return /^[A-Za-z0-9_-]{1,64}$/.test(code) && isInviteUsable(ctx.db, code);
}

/**
 * Creates a local account; throws ValidationError (with a message per field) on bad input.
 * `byOperator`: the site's operator creates it (admin command line), so closed registration does not
 * apply and the address given is taken as confirmed; anyone else's address waits for its confirmation link.
 */
export async function registerUser(ctx: DomainContext, input: Registration, options: { isAdmin?: boolean; byOperator?: boolean } = {}): Promise<UserRecord> {
  const mode = options.byOperator ? 'open' : ctx.config.registration;
  if (mode === 'closed') throw new ForbiddenError('Registration is closed on this site.');
  if (mode === 'invite' && !(await inviteUsable(ctx, input.inviteCode ?? ''))) {
    throw new ForbiddenError(input.inviteCode ? INVITE_SPENT : 'This site accepts new accounts by invitation only.');
  }
  const nickname = normalizeNickname(input.nickname);
  const email = (input.email ?? '').trim();
  const problems: Record<string, string> = {};
  const nicknameError = nicknameProblem(nickname);
  if (nicknameError) problems.nickname = nicknameError;
  const passwordError = passwordProblem(input.password);
  if (passwordError) problems.password = passwordError;
  else if (input.confirm !== undefined && input.confirm !== input.password) problems.confirm = 'The two passwords do not match.';
  const emailError = emailProblem(email);
  if (emailError) problems.email = emailError;
  const reason = (input.reason ?? '').replace(/\r\n?/g, '\n').trim();
  if (mode === 'approval') {
    if (reason === '') problems.reason = 'Tell the admins in a few words why you would like to join.';
    else if ([...reason].length > SIGNUP_REASON_MAX_LENGTH) problems.reason = `That is too long: at most ${SIGNUP_REASON_MAX_LENGTH} characters.`;
    else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(reason)) problems.reason = 'The reason contains control characters.';
  }
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);

  const taken = new ValidationError({ nickname: `The nickname “${nickname}” is already in use. Try another one.` }, 409);
  if (await getUserByNickname(ctx.db, nickname)) throw taken;
  // Other servers still know a deleted account by addresses made from its nickname.
  if ((await getDeletedAccountId(ctx.db, nickname)) !== undefined) throw new ValidationError({ nickname: `The nickname “${nickname}” belonged to an account that was deleted, and is not given out again. Try another one.` }, 409);
  const passwordHash = await hashPassword(input.password, ctx.config.bcryptCost);
  try {
    const confirmed = options.byOperator === true && email !== '';
    const id = await ctx.db.transaction(async (trx) => {
      const pending = mode === 'approval' ? { pendingReason: reason } : {};
      const userId = await insertUser(trx, { nickname, passwordHash, email: confirmed ? email : null, pendingEmail: confirmed || email === '' ? null : email, isAdmin: options.isAdmin ?? false, ...pending });
      // Spent in the same transaction: two sign-ups racing for one invite cannot both succeed.
      if (mode === 'invite' && !(await spendInvite(trx, input.inviteCode!, userId))) throw new ForbiddenError(INVITE_SPENT);
      if (!confirmed && email !== '') await queueConfirmation(ctx, trx, userId, email);
      return userId;
    });
    return (await getUserById(ctx.db, id))!;
  } catch (error) {
    if (isUniqueViolation(error) && (await getUserByNickname(ctx.db, nickname))) throw taken; // lost a race with another registration
    if (isUniqueViolation(error)) throw new ValidationError({ email: 'Another account here already has this address.' }, 409);
    throw error;
  }
}

/** The user whose nickname and password these are, or undefined; unknown users take as long as wrong passwords. */
export async function authenticate(ctx: DomainContext, rawNickname: string, password: string): Promise<UserRecord | undefined> {
  const nickname = normalizeNickname(rawNickname);
  const user = nickname && !nickname.includes('\0') ? await getUserByNickname(ctx.db, nickname) : undefined;
  if (!user) {
    await verifyAgainstNothing(password, ctx.config.bcryptCost);
    return undefined;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
}

/** Why this (correctly authenticated) account may not sign in, or undefined when it may. */
export function signInProblem(user: UserRecord): string | undefined {
  if (user.suspendedAt) return 'This account has been suspended by the site’s moderators.';
  if (!user.approved) return 'Your sign-up is waiting for an admin’s approval. You can sign in once it is accepted.';
  return undefined;
}

/** The signed-in user for a session's user id, or undefined when the account is gone, suspended or not yet approved. */
export async function findUser(ctx: DomainContext, id: number): Promise<UserRecord | undefined> {
  const user = await getUserById(ctx.db, id);
  return user && !signInProblem(user) ? user : undefined;
}

export type PasswordChange = { current: string; password: string; confirm: string };

/** Changes a user's password after checking the current one. */
/**
 * Changes a signed-in person's password. Every other session of theirs ends with it (whoever holds
 * an old session, perhaps the reason for the change, is signed out); the one that changed it stays.
 * Returns how many sessions ended.
 */
export async function changePassword(ctx: DomainContext, userId: number, input: PasswordChange, currentSessionId: string): Promise<number> {
  const user = await getUserById(ctx.db, userId);
  if (!user) throw new ForbiddenError('Sign in first.');
  const problems: Record<string, string> = {};
  if (!(await verifyPassword(input.current, user.passwordHash))) problems.current = 'Your current password is not correct.';
  const passwordError = passwordProblem(input.password);
  if (passwordError) problems.password = passwordError;
  else if (input.confirm !== input.password) problems.confirm = 'The two new passwords do not match.';
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  const passwordHash = await hashPassword(input.password, ctx.config.bcryptCost);
  return ctx.db.transaction(async (trx) => {
    await updatePasswordHash(trx, userId, passwordHash);
    return deleteOtherSessionsOfUser(trx, userId, currentSessionId);
  });
}
