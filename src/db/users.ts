// Local user accounts (a users row always has a local profiles row with the same id).
import type { Knex } from 'knex';
import { PROFILE_COLUMNS, toProfileRecord, toUserRecord } from './records.ts';
import type { ProfileRecord, UserRecord } from './records.ts';
import { prepare, runPrepared } from './prepared.ts';

/** Creates a local profile and its user account; returns the new id. */
export async function insertUser(
  db: Knex,
  user: { nickname: string; passwordHash: string; email: string | null; pendingEmail?: string | null; isAdmin?: boolean; pendingReason?: string },
): Promise<number> {
  const [profile] = await db('profiles').insert({ nickname: user.nickname, is_local: true }).returning('id');
  const id = (profile as { id: number }).id;
  await db('users').insert({
    id,
    password_hash: user.passwordHash,
    email: user.email,
    pending_email: user.pendingEmail ?? null,
    is_admin: user.isAdmin ?? false,
    // A sign-up waiting for approval (REGISTRATION=approval) has no approval time yet.
    ...(user.pendingReason !== undefined ? { approved_at: null, signup_reason: user.pendingReason } : {}),
  });
  return id;
}

function selectUsers(db: Knex) {
  return db('users as u').join('profiles as p', 'p.id', 'u.id').select(...PROFILE_COLUMNS.map((column) => `p.${column}`), 'u.password_hash', 'u.email', 'u.is_admin', 'u.is_moderator', 'u.approved_at');
}

/** The local user with this nickname, or undefined. */
export async function getUserByNickname(db: Knex, nickname: string): Promise<UserRecord | undefined> {
  const row = await selectUsers(db).where('p.nickname', nickname).andWhere('p.is_local', true).first();
  return row ? toUserRecord(row) : undefined;
}

// Read for every request of a signed-in person: its SQL written once (see prepared.ts).
const USER_BY_ID = prepare((db, v) => selectUsers(db).where('u.id', v.owner).limit(v.limit));

/** The local user with this id, or undefined. */
export async function getUserById(db: Knex, id: number): Promise<UserRecord | undefined> {
  const [row] = await runPrepared(db, USER_BY_ID, { owner: id, limit: 1 });
  return row ? toUserRecord(row) : undefined;
}

/** Replaces a user's password hash. */
export async function updatePasswordHash(db: Knex, id: number, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash });
}

/** Local profiles whose nicknames are in the list. */
export async function listLocalProfilesByNicknames(db: Knex, nicknames: readonly string[]): Promise<ProfileRecord[]> {
  if (nicknames.length === 0) return [];
  const rows = await db('profiles').whereIn('nickname', nicknames).andWhere('is_local', true);
  return rows.map(toProfileRecord);
}
