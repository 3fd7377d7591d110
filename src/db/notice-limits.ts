// Queries behind the notice limits.
import type { Knex } from 'knex';

/** Whether the profile posted exactly this text within the last `minutes` (a walk of its newest notices by index). */
export async function hasRecentDuplicate(db: Knex, profileId: number, content: string, minutes: number): Promise<boolean> {
  const row = await db('notices')
    .where({ profile_id: profileId, content })
    .andWhere('created_at', '>', db.raw(`now() - make_interval(mins => ?)`, [minutes]))
    .first(db.raw('1 AS found'));
  return row !== undefined;
}
