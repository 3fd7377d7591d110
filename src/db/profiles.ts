// Profiles, local and remote, and their counters.
import type { Knex } from 'knex';
import { toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';

export type ProfileCounts = { notices: number; subscriptions: number; subscribers: number };

/** The local profile with this nickname, or undefined. */
export async function getLocalProfileByNickname(db: Knex, nickname: string): Promise<ProfileRecord | undefined> {
  const row = await db('profiles').where({ nickname, is_local: true }).first();
  return row ? toProfileRecord(row) : undefined;
}

/** The profile with this id, or undefined. */
export async function getProfileById(db: Knex, id: number): Promise<ProfileRecord | undefined> {
  const row = await db('profiles').where({ id }).first();
  return row ? toProfileRecord(row) : undefined;
}

/** Counts of a profile's notices, subscriptions and subscribers, in one index-only query. */
export async function countProfileStats(db: Knex, id: number): Promise<ProfileCounts> {
  const result = await db.raw(
    `SELECT (SELECT count(*) FROM notices WHERE profile_id = :id) AS notices,
            (SELECT count(*) FROM subscriptions WHERE subscriber_id = :id) AS subscriptions,
            (SELECT count(*) FROM subscriptions WHERE subscribed_id = :id) AS subscribers`,
    { id },
  );
  const row = result.rows[0] as ProfileCounts;
  return { notices: Number(row.notices), subscriptions: Number(row.subscriptions), subscribers: Number(row.subscribers) };
}
