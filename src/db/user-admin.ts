// Local accounts as the site's operator sees them: listing with counts, and deleting.
import type { Knex } from 'knex';

export type UserSummary = { id: number; nickname: string; email: string | null; isAdmin: boolean; createdAt: Date; notices: number };

/** Every local user with their notice count, oldest account first, in one query. */
export async function listUserSummaries(db: Knex): Promise<UserSummary[]> {
  // The count per user is an index-only scan of notices_by_profile, not one query per user.
  const rows = await db('users as u')
    .join('profiles as p', 'p.id', 'u.id')
    .select('u.id', 'p.nickname', 'u.email', 'u.is_admin', 'u.created_at')
    .select(db.raw('(SELECT count(*) FROM notices n WHERE n.profile_id = u.id)::int AS notices'))
    .orderBy('u.id');
  return rows.map((row: Record<string, unknown>) => ({
    id: row.id as number,
    nickname: row.nickname as string,
    email: row.email as string | null,
    isAdmin: row.is_admin as boolean,
    createdAt: row.created_at as Date,
    notices: row.notices as number,
  }));
}

/** Remote profiles linked to this profile by a subscription, either way round. */
export async function listRemoteContacts(db: Knex, profileId: number): Promise<number[]> {
  const rows = await db.raw(
    `SELECT s.subscriber_id AS id FROM subscriptions s JOIN profiles p ON p.id = s.subscriber_id WHERE s.subscribed_id = :id AND NOT p.is_local
     UNION
     SELECT s.subscribed_id FROM subscriptions s JOIN profiles p ON p.id = s.subscribed_id WHERE s.subscriber_id = :id AND NOT p.is_local`,
    { id: profileId },
  );
  return rows.rows.map((row: { id: number }) => row.id);
}

/**
 * Deletes a profile; the schema's cascades take its user row, notices (with their tags, mentions and
 * home-timeline entries), subscriptions both ways and OMB credentials. Returns the notices deleted.
 */
export async function deleteProfile(db: Knex, profileId: number): Promise<number> {
  const [row] = await db('notices').where({ profile_id: profileId }).count({ n: '*' });
  await db('profiles').where({ id: profileId }).delete();
  return Number(row?.n ?? 0);
}

/**
 * Deletes those of these remote profiles that nothing refers to any more: no subscriptions, notices,
 * mentions or reports. ActivityPub actors stay unless `evenActors`: a deleted account's Delete
 * still has to find their inboxes after the account is gone.
 */
export async function deleteUnreferencedRemoteProfiles(db: Knex, ids: readonly number[], options: { evenActors?: boolean } = {}): Promise<number> {
  if (ids.length === 0) return 0;
  const query = db('profiles as p')
    .whereIn('p.id', ids)
    .andWhere('p.is_local', false)
    .whereNotExists(db('subscriptions').whereRaw('subscriber_id = p.id OR subscribed_id = p.id').select(db.raw('1')))
    .whereNotExists(db('notices').whereRaw('profile_id = p.id').select(db.raw('1')))
    .whereNotExists(db('mentions').whereRaw('profile_id = p.id').select(db.raw('1')))
    .whereNotExists(db('reports').whereRaw('target_id = p.id OR reporter_id = p.id').select(db.raw('1')));
  if (!options.evenActors) query.whereNotExists(db('ap_actors').whereRaw('profile_id = p.id').select(db.raw('1')));
  return query.delete();
}

/** The remote profiles that subscribe to this profile. */
export async function listRemoteSubscriberIds(db: Knex, profileId: number): Promise<number[]> {
  const rows = await db('subscriptions as s').join('profiles as p', 'p.id', 's.subscriber_id').where('s.subscribed_id', profileId).andWhere('p.is_local', false).select('p.id');
  return rows.map((row: { id: number }) => Number(row.id));
}
