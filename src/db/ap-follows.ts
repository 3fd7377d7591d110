// Follows sent by local users to remote ActivityPub actors: pending until accepted, then kept for
// the Undo that ends them.
import type { Knex } from 'knex';

export type FollowRecord = { followerId: number; followeeId: number; followId: string; accepted: boolean; createdAt: Date };

function toRecord(row: Record<string, unknown>): FollowRecord {
  return { followerId: Number(row.follower_id), followeeId: Number(row.followee_id), followId: row.follow_id as string, accepted: row.accepted as boolean, createdAt: new Date(row.created_at as string | Date) };
}

/** The follow from this follower to this followee, if one was sent. */
export async function getFollow(db: Knex, followerId: number, followeeId: number): Promise<FollowRecord | undefined> {
  const row = await db('ap_follows').where({ follower_id: followerId, followee_id: followeeId }).first();
  return row ? toRecord(row) : undefined;
}

/** Records a follow sent (a newer one for the same pair replaces the older, pending again). */
export async function upsertFollow(db: Knex, follow: { followerId: number; followeeId: number; followId: string }): Promise<void> {
  await db('ap_follows')
    .insert({ follower_id: follow.followerId, followee_id: follow.followeeId, follow_id: follow.followId })
    .onConflict(['follower_id', 'followee_id'])
    .merge({ follow_id: follow.followId, accepted: false, created_at: db.fn.now() });
}

/** Marks the pending follow with this id, sent to this followee, as accepted; returns it, or undefined when there is none. */
export async function acceptFollow(db: Knex, followId: string, followeeId: number): Promise<FollowRecord | undefined> {
  const rows = await db('ap_follows').where({ follow_id: followId, followee_id: followeeId, accepted: false }).update({ accepted: true }).returning('*');
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Removes and returns the follow with this id sent to this followee, if any. */
export async function deleteFollowById(db: Knex, followId: string, followeeId: number): Promise<FollowRecord | undefined> {
  const rows = await db('ap_follows').where({ follow_id: followId, followee_id: followeeId }).delete().returning('*');
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Removes and returns the follow from this follower to this followee, if any. */
export async function deleteFollow(db: Knex, followerId: number, followeeId: number): Promise<FollowRecord | undefined> {
  const rows = await db('ap_follows').where({ follower_id: followerId, followee_id: followeeId }).delete().returning('*');
  return rows[0] ? toRecord(rows[0]) : undefined;
}
