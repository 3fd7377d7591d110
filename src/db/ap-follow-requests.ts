// Follows sent to remote ActivityPub actors and not yet accepted.
import type { Knex } from 'knex';

export type FollowRequest = { followerId: number; followeeId: number; followId: string };

/** Records a follow sent (a newer one for the same pair replaces the older). */
export async function upsertFollowRequest(db: Knex, request: FollowRequest): Promise<void> {
  await db('ap_follow_requests')
    .insert({ follower_id: request.followerId, followee_id: request.followeeId, follow_id: request.followId })
    .onConflict(['follower_id', 'followee_id'])
    .merge({ follow_id: request.followId, created_at: db.fn.now() });
}

/** Removes and returns the request with this Follow id sent to this followee, if any. */
export async function takeFollowRequest(db: Knex, followId: string, followeeId: number): Promise<FollowRequest | undefined> {
  const rows = await db('ap_follow_requests').where({ follow_id: followId, followee_id: followeeId }).delete().returning(['follower_id', 'followee_id', 'follow_id']);
  const row = rows[0] as { follower_id: string | number; followee_id: string | number; follow_id: string } | undefined;
  return row ? { followerId: Number(row.follower_id), followeeId: Number(row.followee_id), followId: row.follow_id } : undefined;
}

/** Whether this user has a follow waiting for this profile's answer. */
export async function hasFollowRequest(db: Knex, followerId: number, followeeId: number): Promise<boolean> {
  return (await db('ap_follow_requests').where({ follower_id: followerId, followee_id: followeeId }).first('follow_id')) !== undefined;
}
