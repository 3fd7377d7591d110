// A local user's email address: given (or changed) in settings or at registration, it waits until
// the link sent to it is followed; only then do recovery and notifications use it.
import { ForbiddenError, ValidationError } from '../errors.ts';
import { confirmPendingAddress, deleteEmailTokens, getEmailSettings, updateAddresses, updateNotificationSwitches } from '../db/email.ts';
import type { EmailSettingsRecord, NotificationKind } from '../db/email.ts';
import type { Db, DomainContext } from './context.ts';
import { isUniqueViolation } from './db-errors.ts';
import { LinkGoneError, peekEmailToken, takeToken } from './email-tokens.ts';
import { EMAIL_CONFIRM_JOB } from './jobs.ts';

export type { EmailSettingsRecord };

// Plain addresses only: no display names, comments, quotes, lists or whitespace, so that an address
// can never become more than one recipient or break out of a mail header.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Whether this is an address we send to (plain user@domain, ASCII, at most 254 characters). */
export function isSendableAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** Why this address cannot be used, or undefined ('' is no address, which is fine). */
export function emailProblem(address: string): string | undefined {
  if (address === '') return undefined;
  if (!isSendableAddress(address)) return 'That does not look like an e-mail address (write it as name@example.org).';
  return undefined;
}

function sameAddress(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** Queues the confirmation email for an address just set as pending (inside the caller's transaction). */
export async function queueConfirmation(ctx: DomainContext, trx: Db, userId: number, address: string): Promise<void> {
  await deleteEmailTokens(trx, userId, 'confirm'); // links to an address given before stop working
  await ctx.jobs.send(trx, EMAIL_CONFIRM_JOB, { userId, address });
}

/** A user's addresses and notification switches. */
export async function emailSettingsOf(ctx: DomainContext, userId: number): Promise<EmailSettingsRecord> {
  const settings = await getEmailSettings(ctx.db, userId);
  if (!settings) throw new ForbiddenError('Sign in first.');
  return settings;
}

export type AddressChange = 'unchanged' | 'removed' | 'pending';

/**
 * Sets the address a user wants: a new one waits for confirmation (the confirmed one stays in use
 * until then); '' removes both; the confirmed address itself just cancels a pending change.
 */
export async function changeAddress(ctx: DomainContext, userId: number, raw: string): Promise<AddressChange> {
  const address = raw.trim();
  const problem = emailProblem(address);
  if (problem) throw new ValidationError({ email: problem });
  const current = await emailSettingsOf(ctx, userId);
  return ctx.db.transaction(async (trx) => {
    if (address === '') {
      await updateAddresses(trx, userId, { email: null, pendingEmail: null });
      await deleteEmailTokens(trx, userId, 'confirm');
      return 'removed';
    }
    if (sameAddress(address, current.email)) {
      await updateAddresses(trx, userId, { email: current.email, pendingEmail: null });
      await deleteEmailTokens(trx, userId, 'confirm');
      return 'unchanged';
    }
    await updateAddresses(trx, userId, { email: current.email, pendingEmail: address });
    await queueConfirmation(ctx, trx, userId, address);
    return 'pending';
  });
}

/** Sends the confirmation link again to the pending address, if there is one. */
export async function resendConfirmation(ctx: DomainContext, userId: number): Promise<boolean> {
  const current = await emailSettingsOf(ctx, userId);
  if (!current.pendingEmail) return false;
  await ctx.db.transaction((trx) => queueConfirmation(ctx, trx, userId, current.pendingEmail!));
  return true;
}

const GONE = 'This confirmation link has already been used, has expired, or was replaced by a newer one. Ask for a new one in your email settings.';

/** The address a confirmation link would confirm, without using the link up; 410 when it is not valid. */
export async function addressOfConfirmation(ctx: DomainContext, token: string): Promise<string> {
  const record = await peekEmailToken(ctx.db, token, 'confirm');
  if (!record?.address) throw new LinkGoneError(GONE);
  return record.address;
}

/** Follows a confirmation link: the address becomes the confirmed one; 410 for a used or expired link, 409 for an address another account has. */
export async function confirmAddress(ctx: DomainContext, token: string): Promise<{ nickname: string; address: string }> {
  try {
    return await ctx.db.transaction(async (trx) => {
      const record = await takeToken(trx, token, 'confirm');
      if (!record?.address || !(await confirmPendingAddress(trx, record.userId, record.address))) throw new LinkGoneError(GONE);
      const settings = await getEmailSettings(trx, record.userId);
      return { nickname: settings!.nickname, address: record.address };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Nothing was changed (the transaction rolled back): the link still works once the other account lets the address go.
    throw new ValidationError({ email: 'This address is already confirmed for another account here. Remove it there first, or use another address.' }, 409);
  }
}

/** Turns email notifications on or off. */
export async function saveNotificationSwitches(ctx: DomainContext, userId: number, switches: Record<NotificationKind, boolean>): Promise<void> {
  await updateNotificationSwitches(ctx.db, userId, switches);
}
