// Removing what people on other servers brought here (a suspension, a blocked server, an account
// deleted at home). Only remote profiles are touched, whatever ids are given.
import type { Knex } from 'knex';

/** Deletes the notices of these remote profiles (tags, mentions and home-timeline entries go with them); returns how many. */
export async function deleteRemoteNoticesOf(db: Knex, profileIds: readonly number[]): Promise<number> {
  if (profileIds.length === 0) return 0;
  const result = await db.raw(
    `DELETE FROM notices n USING profiles p
     WHERE n.profile_id = p.id AND NOT p.is_local AND p.id = ANY(:ids)`,
    { ids: [...profileIds] },
  );
  return result.rowCount as number;
}

/** Ends every subscription to or from these remote profiles (their OMB credentials go with them); returns how many. */
export async function deleteRemoteSubscriptionsOf(db: Knex, profileIds: readonly number[]): Promise<number> {
  if (profileIds.length === 0) return 0;
  const result = await db.raw(
    `DELETE FROM subscriptions s USING profiles p
     WHERE NOT p.is_local AND p.id = ANY(:ids) AND (s.subscriber_id = p.id OR s.subscribed_id = p.id)`,
    { ids: [...profileIds] },
  );
  return result.rowCount as number;
}
