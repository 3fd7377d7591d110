// Invite links: single use, expiring.
import type { Knex } from 'knex';

export type InviteRecord = { id: number; code: string; createdByName: string | null; createdAt: Date; expiresAt: Date; usedByName: string | null; usedAt: Date | null };

/** Saves a new invite. */
export async function insertInvite(db: Knex, invite: { code: string; createdBy: number; expiresAt: Date }): Promise<void> {
  await db('invites').insert({ code: invite.code, created_by: invite.createdBy, expires_at: invite.expiresAt });
}

/** Invites newest first (only those one person made, when `createdBy` is given), keyset-paged by id. */
export async function listInvites(db: Knex, options: { createdBy?: number; before: number | undefined; limit: number }): Promise<InviteRecord[]> {
  const query = db('invites as i')
    .leftJoin('profiles as c', 'c.id', 'i.created_by')
    .leftJoin('profiles as u', 'u.id', 'i.used_by')
    .select('i.*', 'c.nickname as created_by_name', 'u.nickname as used_by_name')
    .orderBy('i.id', 'desc')
    .limit(options.limit);
  if (options.createdBy !== undefined) query.where('i.created_by', options.createdBy);
  if (options.before !== undefined) query.where('i.id', '<', options.before);
  const rows = await query;
  return rows.map((row: Record<string, unknown>) => ({
    id: Number(row.id),
    code: row.code as string,
    createdByName: row.created_by_name as string | null,
    createdAt: row.created_at as Date,
    expiresAt: row.expires_at as Date,
    usedByName: row.used_by_name as string | null,
    usedAt: row.used_at as Date | null,
  }));
}

/** Whether this code is an unused invite that has not expired. */
export async function isInviteUsable(db: Knex, code: string): Promise<boolean> {
  const row = await db('invites').where({ code }).whereNull('used_at').andWhere('expires_at', '>', db.fn.now()).first('id');
  return row !== undefined;
}

/** Spends an invite for a new user (in the registration's transaction); false when it is used, expired or unknown. */
export async function spendInvite(db: Knex, code: string, userId: number): Promise<boolean> {
  const changed = await db('invites').where({ code }).whereNull('used_at').andWhere('expires_at', '>', db.fn.now()).update({ used_at: db.fn.now(), used_by: userId });
  return changed > 0;
}
