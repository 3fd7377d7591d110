// Site-wide counts (NodeInfo's usage figures).
import type { Knex } from 'knex';

export type SiteCounts = { users: number; localNotices: number };

/** How many local users and local notices there are. */
export async function countSite(db: Knex): Promise<SiteCounts> {
  const result = await db.raw(`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM notices WHERE is_local) AS local_notices`);
  const row = result.rows[0] as { users: string; local_notices: string };
  return { users: Number(row.users), localNotices: Number(row.local_notices) };
}
