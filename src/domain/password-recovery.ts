// Password recovery by email (Laconica's /main/recoverpassword): a single-use link that expires,
// sent only to a confirmed address, with the same answer whether or not the account exists.
import { ValidationError } from '../errors.ts';
import { deleteEmailTokens, getEmailSettings, getEmailSettingsByAddress, getEmailSettingsByNickname } from '../db/email.ts';
import type { EmailSettingsRecord } from '../db/email.ts';
import { replacePassword } from './account-admin.ts';
import type { DomainContext } from './context.ts';
import { LinkGoneError, peekEmailToken, takeToken } from './email-tokens.ts';
import { EMAIL_RECOVER_JOB } from './jobs.ts';
import { normalizeNickname } from './nicknames.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

const GONE = 'This password-recovery link has already been used or has expired. Ask for a new one.';

// A login is an address when it has an @ in it, a nickname otherwise.
function findAccount(ctx: DomainContext, login: string): Promise<EmailSettingsRecord | undefined> {
  const trimmed = login.trim();
  if (trimmed === '' || trimmed.length > 254 || /[\u0000-\u001f\u007f]/.test(trimmed)) return Promise.resolve(undefined);
  if (trimmed.includes('@')) return getEmailSettingsByAddress(ctx.db, trimmed);
  const nickname = normalizeNickname(trimmed);
  return nickname ? getEmailSettingsByNickname(ctx.db, nickname) : Promise.resolve(undefined);
}

/** What recovery requests are counted under for throttling: the account when there is one, else what was typed. */
export async function recoveryThrottleKey(ctx: DomainContext, login: string): Promise<string> {
  const account = await findAccount(ctx, login);
  return account ? `user:${account.userId}` : `login:${login.trim().toLowerCase().slice(0, 254)}`;
}

/** Queues a recovery email when the nickname or address belongs to an account with a confirmed address; says nothing either way. */
export async function requestPasswordRecovery(ctx: DomainContext, login: string): Promise<void> {
  const account = await findAccount(ctx, login);
  if (!account?.email) return;
  await ctx.db.transaction((trx) => ctx.jobs.send(trx, EMAIL_RECOVER_JOB, { userId: account.userId }));
}

/** Checks that a recovery link is still valid (without using it up); 410 otherwise. */
export async function checkRecoveryLink(ctx: DomainContext, token: string): Promise<void> {
  if (!(await peekEmailToken(ctx.db, token, 'recover'))) throw new LinkGoneError(GONE);
}

export type NewPassword = { password: string; confirm: string };

/** Sets a new password through a recovery link (same rules as registration), uses the link and every other recovery link up, and ends all the user's sessions. */
export async function recoverPassword(ctx: DomainContext, token: string, input: NewPassword): Promise<{ nickname: string }> {
  await checkRecoveryLink(ctx, token); // a dead link says so before complaining about the password
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError({ password: problem });
  if (input.confirm !== input.password) throw new ValidationError({ confirm: 'The two passwords do not match.' });
  const hash = await hashPassword(input.password, ctx.config.bcryptCost);
  return ctx.db.transaction(async (trx) => {
    const record = await takeToken(trx, token, 'recover');
    if (!record) throw new LinkGoneError(GONE); // used by a concurrent request a moment ago
    await replacePassword(trx, record.userId, hash);
    await deleteEmailTokens(trx, record.userId, 'recover');
    return { nickname: (await getEmailSettings(trx, record.userId))!.nickname };
  });
}
