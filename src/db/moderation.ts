// Moderation state of people: roles, silencing, suspension, sign-ups awaiting approval, and the
// audit log of what moderators did.
import type { Knex } from 'knex';

export type Role = 'admin' | 'moderator' | 'user';

/** Sets a local user's role; false when there is no such user. */
export async function updateRole(db: Knex, userId: number, role: Role): Promise<boolean> {
  const changed = await db('users').where({ id: userId }).update({ is_admin: role === 'admin', is_moderator: role === 'moderator' });
  return changed > 0;
}

/** Marks a profile silenced (or not). */
export async function updateSilenced(db: Knex, profileId: number, silenced: boolean): Promise<void> {
  await db('profiles').where({ id: profileId }).update({ silenced_at: silenced ? db.fn.now() : null });
}

/** Marks a profile suspended (or not). */
export async function updateSuspended(db: Knex, profileId: number, suspended: boolean): Promise<void> {
  await db('profiles').where({ id: profileId }).update({ suspended_at: suspended ? db.fn.now() : null });
}

/** Whether the profile with this id is suspended. */
export async function isProfileSuspended(db: Knex, profileId: number): Promise<boolean> {
  const row = (await db('profiles').where({ id: profileId }).first('suspended_at')) as { suspended_at: Date | null } | undefined;
  return row !== undefined && row.suspended_at !== null;
}

export type Registrant = {
  id: number;
  nickname: string;
  email: string | null;
  createdAt: Date;
  approved: boolean;
  reason: string | null;
  silenced: boolean;
  suspended: boolean;
  role: Role;
};

function toRegistrant(row: Record<string, unknown>): Registrant {
  return {
    id: Number(row.id),
    nickname: row.nickname as string,
    email: row.email as string | null,
    createdAt: row.created_at as Date,
    approved: row.approved_at !== null,
    reason: row.signup_reason as string | null,
    silenced: row.silenced_at !== null,
    suspended: row.suspended_at !== null,
    role: row.is_admin ? 'admin' : row.is_moderator ? 'moderator' : 'user',
  };
}

const REGISTRANT_COLUMNS = ['u.id', 'p.nickname', 'u.email', 'u.created_at', 'u.approved_at', 'u.signup_reason', 'p.silenced_at', 'p.suspended_at', 'u.is_admin', 'u.is_moderator'];

/** The newest accounts, newest first, keyset-paged by id. */
export async function listRecentRegistrants(db: Knex, page: { before: number | undefined; limit: number }): Promise<Registrant[]> {
  const query = db('users as u').join('profiles as p', 'p.id', 'u.id').select(REGISTRANT_COLUMNS).orderBy('u.id', 'desc').limit(page.limit);
  if (page.before !== undefined) query.where('u.id', '<', page.before);
  return (await query).map(toRegistrant);
}

/** Sign-ups waiting for approval, oldest first. */
export async function listPendingRegistrants(db: Knex, limit: number): Promise<Registrant[]> {
  const rows = await db('users as u').join('profiles as p', 'p.id', 'u.id').select(REGISTRANT_COLUMNS).whereNull('u.approved_at').orderBy('u.created_at').limit(limit);
  return rows.map(toRegistrant);
}

/** One local account as moderators see it, by nickname. */
export async function getRegistrantByNickname(db: Knex, nickname: string): Promise<Registrant | undefined> {
  const row = await db('users as u').join('profiles as p', 'p.id', 'u.id').select(REGISTRANT_COLUMNS).where('p.nickname', nickname).andWhere('p.is_local', true).first();
  return row ? toRegistrant(row) : undefined;
}

/** Approves a waiting sign-up; false when it was not waiting. */
export async function markApproved(db: Knex, userId: number): Promise<boolean> {
  return (await db('users').where({ id: userId }).whereNull('approved_at').update({ approved_at: db.fn.now() })) > 0;
}

export type LogEntry = { id: number; actorName: string; action: string; targetName: string | null; noticeId: number | null; note: string; createdAt: Date };

/** Appends to the audit log. */
export async function insertLogEntry(
  db: Knex,
  entry: { actorId: number | null; actorName: string; action: string; targetId?: number | null; targetName?: string | null; noticeId?: number | null; note?: string },
): Promise<void> {
  await db('moderation_log').insert({
    actor_id: entry.actorId,
    actor_name: entry.actorName,
    action: entry.action,
    target_id: entry.targetId ?? null,
    target_name: entry.targetName ?? null,
    notice_id: entry.noticeId ?? null,
    note: entry.note ?? '',
  });
}

/** The audit log, newest first, keyset-paged by id. */
export async function listLogEntries(db: Knex, page: { before: number | undefined; limit: number }): Promise<LogEntry[]> {
  const query = db('moderation_log').orderBy('id', 'desc').limit(page.limit);
  if (page.before !== undefined) query.where('id', '<', page.before);
  const rows = await query;
  return rows.map((row: Record<string, unknown>) => ({
    id: Number(row.id),
    actorName: row.actor_name as string,
    action: row.action as string,
    targetName: row.target_name as string | null,
    noticeId: row.notice_id === null ? null : Number(row.notice_id),
    note: row.note as string,
    createdAt: row.created_at as Date,
  }));
}
