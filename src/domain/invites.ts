// Invite links for REGISTRATION=invite: single use, expiring, made by admins (and by everyone
// when INVITES_BY_USERS=true).
import { randomBytes } from 'node:crypto';
import { ForbiddenError } from '../errors.ts';
import { insertInvite, listInvites } from '../db/invites.ts';
import type { InviteRecord } from '../db/invites.ts';
import type { UserRecord } from '../db/records.ts';
import type { DomainContext } from './context.ts';

export type { InviteRecord };

/** Whether this person may create invite links. */
export function mayInvite(ctx: DomainContext, user: UserRecord): boolean {
  return user.isAdmin || ctx.config.invitesByUsers;
}

/** Creates an invite link's code for this person; 403 when they may not. */
export async function createInvite(ctx: DomainContext, user: UserRecord): Promise<string> {
  if (!mayInvite(ctx, user)) throw new ForbiddenError('Only admins can invite people to this site.');
  const code = randomBytes(18).toString('base64url');
  const expiresAt = new Date(Date.now() + ctx.config.inviteDays * 24 * 60 * 60 * 1000);
  await insertInvite(ctx.db, { code, createdBy: user.id, expiresAt });
  return code;
}

/** Invites newest first: everyone's for admins' pages (`mine` false), else this person's own. */
export function inviteList(ctx: DomainContext, user: UserRecord, options: { mine: boolean; before: number | undefined; limit: number }): Promise<InviteRecord[]> {
  return listInvites(ctx.db, { createdBy: options.mine ? user.id : undefined, before: options.before, limit: options.limit });
}

/** The state of an invite, in words. */
export function inviteState(invite: InviteRecord, now: Date = new Date()): 'used' | 'expired' | 'open' {
  if (invite.usedAt) return 'used';
  return invite.expiresAt <= now ? 'expired' : 'open';
}
