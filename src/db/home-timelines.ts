// Writes to the fanned-out home timelines.
import type { Knex } from 'knex';

/** Puts one notice on one user's home timeline. */
export async function insertHomeEntry(db: Knex, userId: number, noticeId: number): Promise<void> {
  await db('home_timeline_entries').insert({ user_id: userId, notice_id: noticeId }).onConflict().ignore();
}

/**
 * Puts notices on the home timelines of every local subscriber of their authors, in one statement;
 * returns how many rows it added. The notices are locked (FOR KEY SHARE) while it runs: one deleted
 * meanwhile waits, and then its trigger removes the rows (a deleted one adds none).
 */
export async function fanOutToSubscribers(db: Knex, noticeIds: readonly number[]): Promise<number> {
  const result = await db.raw(
    `WITH batch AS MATERIALIZED (SELECT id, profile_id, repeat_of FROM notices WHERE id = ANY(CAST(:noticeIds AS bigint[])) FOR KEY SHARE)
     INSERT INTO home_timeline_entries (user_id, notice_id)
     SELECT s.subscriber_id, n.id
     FROM batch n
     JOIN subscriptions s ON s.subscribed_id = n.profile_id
     JOIN users u ON u.id = s.subscriber_id
     -- a repeat is not shown again to whoever has its original already, or gets it in this same batch
     WHERE NOT EXISTS (SELECT 1 FROM home_timeline_entries o WHERE o.user_id = s.subscriber_id AND o.notice_id = n.repeat_of)
       AND NOT EXISTS (SELECT 1 FROM batch b JOIN subscriptions bs ON bs.subscribed_id = b.profile_id WHERE b.id = n.repeat_of AND bs.subscriber_id = s.subscriber_id)
     ON CONFLICT DO NOTHING`,
    { noticeIds: [...noticeIds] },
  );
  return result.rowCount as number;
}

/** Copies a profile's recent notices onto a user's home timeline (after subscribing), locking them as the fan-out does. */
export async function backfillHome(db: Knex, userId: number, profileId: number, limit: number): Promise<void> {
  await db.raw(
    `INSERT INTO home_timeline_entries (user_id, notice_id)
     SELECT :userId, id FROM notices WHERE profile_id = :profileId ORDER BY id DESC LIMIT :limit FOR KEY SHARE
     ON CONFLICT DO NOTHING`,
    { userId, profileId, limit },
  );
}

/** Removes a profile's notices from a user's home timeline (after unsubscribing). */
export async function removeProfileFromHome(db: Knex, userId: number, profileId: number): Promise<void> {
  await db.raw(
    `DELETE FROM home_timeline_entries h USING notices n
     WHERE h.user_id = :userId AND h.notice_id = n.id AND n.profile_id = :profileId`,
    { userId, profileId },
  );
}

/** Drops the entries beyond the newest `cap` of every home timeline; returns how many. */
export async function trimHomeTimelines(db: Knex, cap: number): Promise<number> {
  const result = await db.raw(
    `DELETE FROM home_timeline_entries h USING (
       SELECT user_id, notice_id FROM (
         SELECT user_id, notice_id, row_number() OVER (PARTITION BY user_id ORDER BY notice_id DESC) AS rank
         FROM home_timeline_entries
       ) ranked WHERE rank > :cap
     ) old
     WHERE h.user_id = old.user_id AND h.notice_id = old.notice_id`,
    { cap },
  );
  return result.rowCount as number;
}
