// People a local user blocks or mutes.
import type { Knex } from 'knex';
import { prepareSql, runPrepared } from './prepared.ts';
import { toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';

/** A block ends subscriptions and refuses new ones; a mute only hides the person's notices. */
export type BlockKind = 'block' | 'mute';

/** Records a block (replacing a mute of the same person); false when it already existed. */
export async function upsertBlock(db: Knex, blockerId: number, blockedId: number): Promise<boolean> {
  const rows = await db('blocks')
    .insert({ blocker_id: blockerId, blocked_id: blockedId, kind: 'block' })
    .onConflict(['blocker_id', 'blocked_id'])
    .merge({ kind: 'block', created_at: db.fn.now() })
    .where('blocks.kind', 'mute')
    .returning('blocker_id');
  return rows.length > 0;
}

/** Records a mute unless the person is already muted or blocked; false when nothing changed. */
export async function insertMute(db: Knex, blockerId: number, blockedId: number): Promise<boolean> {
  const rows = await db('blocks').insert({ blocker_id: blockerId, blocked_id: blockedId, kind: 'mute' }).onConflict(['blocker_id', 'blocked_id']).ignore().returning('blocker_id');
  return rows.length > 0;
}

/** Removes a block or a mute of that kind; false when there was none. */
export async function deleteBlock(db: Knex, blockerId: number, blockedId: number, kind: BlockKind): Promise<boolean> {
  return (await db('blocks').where({ blocker_id: blockerId, blocked_id: blockedId, kind }).delete()) > 0;
}

/** Whether `blockerId` blocks or mutes `blockedId`, and which. */
// Asked by every profile page a signed-in person views.
const BLOCK_KIND = prepareSql('SELECT kind FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', ['owner', 'other']);

export async function getBlockKind(db: Knex, blockerId: number, blockedId: number): Promise<BlockKind | undefined> {
  const [row] = await runPrepared(db, BLOCK_KIND, { owner: blockerId, other: blockedId });
  return (row as { kind: BlockKind } | undefined)?.kind;
}

/** Who of the two blocks the other (not mutes), if either does: the blocker's id. */
export async function findBlockBetween(db: Knex, one: number, other: number): Promise<number | undefined> {
  const row = (await db('blocks')
    .where({ kind: 'block' })
    .andWhere((q) => q.where({ blocker_id: one, blocked_id: other }).orWhere({ blocker_id: other, blocked_id: one }))
    .first('blocker_id')) as { blocker_id: number } | undefined;
  return row === undefined ? undefined : Number(row.blocker_id);
}

/** Those of these local users who block or mute `profileId`. */
export async function listBlockersAmong(db: Knex, profileId: number, userIds: readonly number[]): Promise<number[]> {
  if (userIds.length === 0) return [];
  const rows = await db('blocks').where('blocked_id', profileId).whereIn('blocker_id', userIds).select('blocker_id');
  return rows.map((row: { blocker_id: number }) => Number(row.blocker_id));
}

export type BlockedPerson = { profile: ProfileRecord; kind: BlockKind };

/** The people a user blocks or mutes, by descending profile id (keyset-paged). */
export async function listBlocked(db: Knex, blockerId: number, page: { before: number | undefined; limit: number }): Promise<BlockedPerson[]> {
  const query = db('blocks as b').join('profiles as p', 'p.id', 'b.blocked_id').where('b.blocker_id', blockerId);
  if (page.before !== undefined) query.where('b.blocked_id', '<', page.before);
  const rows = await query.select('p.*', 'b.kind').orderBy('b.blocked_id', 'desc').limit(page.limit);
  return rows.map((row: Record<string, unknown>) => ({ profile: toProfileRecord(row), kind: row.kind as BlockKind }));
}
