// Queries behind the notice limits.
import type { Knex } from 'knex';

// The newest notices of a person read for the duplicate check: a bounded walk back along
// notices_by_profile, however many notices they have written.
const RECENT_WINDOW = 100;

/** Whether the profile posted exactly this text within the last `minutes`, among its newest notices. */
export async function hasRecentDuplicate(db: Knex, profileId: number, content: string, minutes: number): Promise<boolean> {
  const result = await db.raw(
    `SELECT 1 FROM (SELECT content, created_at FROM notices WHERE profile_id = ? ORDER BY id DESC LIMIT ${RECENT_WINDOW}) recent
      WHERE recent.content = ? AND recent.created_at > now() - make_interval(mins => ?) LIMIT 1`,
    [profileId, content, minutes],
  );
  return result.rows.length > 0;
}
