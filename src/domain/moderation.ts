// What admins and moderators do to people and notices: roles, silencing, suspension, deleting any
// notice, approving sign-ups. Every action is written to the audit log in the same transaction.
import { ForbiddenError, HttpError, NotFoundError, ValidationError } from '../errors.ts';
import { getNoticeById } from '../db/notices.ts';
import { deleteSessionsOfUser } from '../db/sessions.ts';
import { deleteRemoteNoticesOf, deleteRemoteSubscriptionsOf } from '../db/remote-purge.ts';
import { deleteProfile } from '../db/user-admin.ts';
import { getUserByNickname } from '../db/users.ts';
import type { NoticeRecord, UserRecord } from '../db/records.ts';
import {
  getRegistrantByNickname,
  insertLogEntry,
  listLogEntries,
  listPendingRegistrants,
  listRecentRegistrants,
  markApproved,
  updateRole,
  updateSilenced,
  updateSuspended,
} from '../db/moderation.ts';
import type { LogEntry, Registrant, Role } from '../db/moderation.ts';
import type { Db, DomainContext } from './context.ts';
import { parseId } from './ids.ts';
import { deleteAndRetractNotice } from './notices.ts';
import { normalizeNickname } from './nicknames.ts';

export type { LogEntry, Registrant, Role };

/** The roles, as the admin command names them. */
export const ROLES: readonly Role[] = ['admin', 'moderator', 'user'];

/** Longest note a moderator may attach to an action. */
export const NOTE_MAX_LENGTH = 500;

/** A person's role on this site. */
export function roleOf(user: Pick<UserRecord, 'isAdmin' | 'isModerator'>): Role {
  return user.isAdmin ? 'admin' : user.isModerator ? 'moderator' : 'user';
}

/** Whether this person may use the moderation pages (admins and moderators). */
export function isStaff(user: Pick<UserRecord, 'isAdmin' | 'isModerator'> | undefined): boolean {
  return user !== undefined && (user.isAdmin || user.isModerator);
}

/** A moderator's note, checked: trimmed, at most NOTE_MAX_LENGTH characters, no control characters. */
export function cleanNote(raw: string): string {
  const note = raw.replace(/\r\n?/g, '\n').trim();
  if ([...note].length > NOTE_MAX_LENGTH) throw new ValidationError({ note: `The note is too long: at most ${NOTE_MAX_LENGTH} characters.` });
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(note)) throw new ValidationError({ note: 'The note contains control characters.' });
  return note;
}

async function registrant(ctx: DomainContext, rawNickname: string): Promise<Registrant> {
  const nickname = normalizeNickname(rawNickname);
  const found = nickname && !nickname.includes('\0') ? await getRegistrantByNickname(ctx.db, nickname) : undefined;
  if (!found) throw new NotFoundError(`There is no local user “${nickname}”.`);
  return found;
}

// Moderators act on ordinary people; only admins act on staff, and nobody on themselves.
function checkMayActOn(actor: UserRecord, target: Registrant): void {
  if (actor.id === target.id) throw new ForbiddenError('You cannot do that to your own account.');
  if (target.role !== 'user' && !actor.isAdmin) throw new ForbiddenError('Only admins can act on admins and moderators.');
}

/** Sets a local person's role (admin command line); returns the user. */
export async function setRole(ctx: DomainContext, rawNickname: string, role: string): Promise<Registrant> {
  if (!(ROLES as readonly string[]).includes(role)) throw new ValidationError({ role: `The role must be one of ${ROLES.join(', ')}.` });
  const target = await registrant(ctx, rawNickname);
  await updateRole(ctx.db, target.id, role as Role);
  return { ...target, role: role as Role };
}

export type PersonAction = 'silence' | 'unsilence' | 'suspend' | 'unsuspend';

/** Silences, suspends or undoes either for a local person, with a note in the audit log; suspension ends their sessions. */
export async function moderatePerson(ctx: DomainContext, actor: UserRecord, rawNickname: string, action: PersonAction, rawNote: string): Promise<Registrant> {
  const note = cleanNote(rawNote);
  const target = await registrant(ctx, rawNickname);
  checkMayActOn(actor, target);
  await ctx.db.transaction(async (trx) => {
    await applyPersonAction(trx, target.id, action);
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action, targetId: target.id, targetName: target.nickname, note });
  });
  return target;
}

/**
 * Applies a person action inside a transaction (also used when a report is closed). Suspending
 * a local person ends their sessions; suspending a remote one removes what they brought here:
 * their notices and every subscription to or from them (lifting it brings neither back).
 */
export async function applyPersonAction(trx: Db, profileId: number, action: PersonAction): Promise<void> {
  if (action === 'silence' || action === 'unsilence') return updateSilenced(trx, profileId, action === 'silence');
  await updateSuspended(trx, profileId, action === 'suspend');
  if (action !== 'suspend') return;
  await deleteSessionsOfUser(trx, profileId);
  await deleteRemoteNoticesOf(trx, [profileId]); // both touch remote profiles only
  await deleteRemoteSubscriptionsOf(trx, [profileId]);
}

/** Any notice by the id in its URL, a suspended person's too; 404 when there is none. */
export async function noticeForModeration(ctx: DomainContext, rawId: string): Promise<NoticeRecord> {
  const id = parseId(rawId);
  const notice = id === undefined ? undefined : await getNoticeById(ctx.db, id);
  if (!notice) throw new NotFoundError('No such notice.');
  return notice;
}

/** Deletes any notice (local or remote) for a moderator, logged with the notice's text in the note. */
export async function moderatorDeleteNotice(ctx: DomainContext, actor: UserRecord, rawId: string, rawNote: string): Promise<void> {
  const note = cleanNote(rawNote);
  const notice = await noticeForModeration(ctx, rawId);
  await ctx.db.transaction(async (trx) => {
    await deleteAndRetractNotice(ctx, trx, notice); // retracted as its author's own deletion is
    await insertLogEntry(trx, {
      actorId: actor.id,
      actorName: actor.nickname,
      action: 'delete-notice',
      targetId: notice.author.id,
      targetName: notice.author.nickname,
      noticeId: notice.id,
      note: note || `“${notice.content.slice(0, 200)}”`,
    });
  });
}

/** Accepts a sign-up waiting for approval (admins only). */
export async function approveSignup(ctx: DomainContext, actor: UserRecord, rawNickname: string): Promise<Registrant> {
  const target = await registrant(ctx, rawNickname);
  await ctx.db.transaction(async (trx) => {
    if (!(await markApproved(trx, target.id))) throw new HttpError(409, `${target.nickname} is not waiting for approval.`);
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action: 'approve', targetId: target.id, targetName: target.nickname });
  });
  return target;
}

/** Rejects a sign-up waiting for approval (admins only): the account is deleted, its nickname free again. */
export async function rejectSignup(ctx: DomainContext, actor: UserRecord, rawNickname: string, rawNote: string): Promise<Registrant> {
  const note = cleanNote(rawNote);
  const target = await registrant(ctx, rawNickname);
  if (target.approved) throw new HttpError(409, `${target.nickname} is not waiting for approval.`);
  await ctx.db.transaction(async (trx) => {
    await deleteProfile(trx, target.id);
    await insertLogEntry(trx, { actorId: actor.id, actorName: actor.nickname, action: 'reject', targetName: target.nickname, note });
  });
  return target;
}

/** The newest accounts and the sign-ups waiting for approval. */
export async function registrations(ctx: DomainContext, before: number | undefined, limit: number): Promise<{ recent: Registrant[]; pending: Registrant[] }> {
  const [recent, pending] = await Promise.all([listRecentRegistrants(ctx.db, { before, limit }), listPendingRegistrants(ctx.db, 100)]);
  return { recent, pending };
}

/** One local account as moderators see it. */
export function personForModeration(ctx: DomainContext, rawNickname: string): Promise<Registrant> {
  return registrant(ctx, rawNickname);
}

/** A page of the audit log, newest first. */
export function auditLog(ctx: DomainContext, before: number | undefined, limit: number): Promise<LogEntry[]> {
  return listLogEntries(ctx.db, { before, limit });
}

/** The local user a nickname names, or NotFoundError (for the admin command line). */
export async function localUser(ctx: DomainContext, rawNickname: string): Promise<UserRecord> {
  const user = await getUserByNickname(ctx.db, normalizeNickname(rawNickname));
  if (!user) throw new NotFoundError(`There is no local user “${rawNickname}”.`);
  return user;
}
