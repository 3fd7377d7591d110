// Where to deliver to a given set of remote profiles over ActivityPub.
import type { Knex } from 'knex';

/** The inboxes of these remote profiles that are ActivityPub actors: one per server (its shared inbox when it has one). */
export async function listInboxesOf(db: Knex, profileIds: readonly number[]): Promise<string[]> {
  if (profileIds.length === 0) return [];
  const rows = await db('ap_actors')
    .whereIn('profile_id', profileIds)
    .distinct(db.raw('coalesce(shared_inbox_url, inbox_url) AS inbox'))
    .orderBy('inbox');
  return rows.map((row: { inbox: string }) => row.inbox);
}
