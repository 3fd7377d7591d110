// Tags of recent notices, for the tag cloud.
import type { Knex } from 'knex';

export type TagUse = { tag: string; uses: number; weight: number };

/**
 * Tags of the newest `recent` notices younger than `days`, each weighted by its uses, a use
 * counting half as much for every `halfLifeDays` of age; the heaviest `limit` tags.
 */
export async function listRecentTags(db: Knex, options: { recent: number; days: number; halfLifeDays: number; limit: number }): Promise<TagUse[]> {
  // The newest notices come from the primary key, newest first, so the work is bounded by `recent`.
  const result = await db.raw(
    `SELECT t.tag, count(*) AS uses,
            sum(power(0.5, extract(epoch FROM now() - r.created_at) / (:halfLifeDays * 86400.0))) AS weight
       FROM (SELECT id, created_at FROM notices ORDER BY id DESC LIMIT :recent) r
       JOIN notice_tags t ON t.notice_id = r.id
      WHERE r.created_at > now() - make_interval(days => :days)
      GROUP BY t.tag
      ORDER BY weight DESC, t.tag
      LIMIT :limit`,
    options,
  );
  return (result.rows as { tag: string; uses: string | number; weight: string | number }[]).map((row) => ({ tag: row.tag, uses: Number(row.uses), weight: Number(row.weight) }));
}
