// Profiles, local and remote, and their counters.
import type { Knex } from 'knex';
import { PROFILE_COLUMNS, toProfileRecord } from './records.ts';
import type { ProfileRecord } from './records.ts';
import { prepare, runPrepared } from './prepared.ts';

export type ProfileCounts = { notices: number; subscriptions: number; subscribers: number; favorites: number };

/** The local profile with this nickname, or undefined. */
export async function getLocalProfileByNickname(db: Knex, nickname: string): Promise<ProfileRecord | undefined> {
  const row = await db('profiles').where({ nickname, is_local: true }).first();
  return row ? toProfileRecord(row) : undefined;
}

// The counters are columns plus what concurrent writers left aside (profile_count_deltas, usually
// nothing): one index probe that finds no row, whatever the size of the profile.
const PENDING_COUNTS = `LEFT JOIN LATERAL (
  SELECT sum(d.notices) AS pending_notices, sum(d.subscriptions) AS pending_subscriptions, sum(d.subscribers) AS pending_subscribers
  FROM profile_count_deltas d WHERE d.profile_id = profiles.id) pending ON true`;

// Read on every profile and home timeline page: its SQL written once (see prepared.ts).
const LOCAL_PROFILE_BY_NICKNAME = prepare((db, v) =>
  db('profiles')
    .select(...PROFILE_COLUMNS.map((column) => `profiles.${column}`), 'profiles.notice_count', 'profiles.subscription_count', 'profiles.subscriber_count', 'profiles.favorite_count', 'pending.*')
    .joinRaw(PENDING_COUNTS)
    .where('nickname', v.owner)
    .whereRaw('is_local')
    .limit(v.limit),
);

/** The local profile with this nickname and its header counts (kept in columns), or undefined. */
export async function getLocalProfileWithCounts(db: Knex, nickname: string): Promise<{ profile: ProfileRecord; counts: ProfileCounts } | undefined> {
  const [row] = await runPrepared(db, LOCAL_PROFILE_BY_NICKNAME, { owner: nickname, limit: 1 });
  return row ? { profile: toProfileRecord(row), counts: countsOf(row) } : undefined;
}

function countsOf(row: Record<string, unknown>): ProfileCounts {
  return {
    notices: Number(row.notice_count) + Number(row.pending_notices ?? 0),
    subscriptions: Number(row.subscription_count) + Number(row.pending_subscriptions ?? 0),
    subscribers: Number(row.subscriber_count) + Number(row.pending_subscribers ?? 0),
    favorites: Number(row.favorite_count),
  };
}

/** The profile with this id, or undefined. */
export async function getProfileById(db: Knex, id: number): Promise<ProfileRecord | undefined> {
  const row = await db('profiles').where({ id }).first();
  return row ? toProfileRecord(row) : undefined;
}

/** Counts of a profile's notices, subscriptions, subscribers and favorites, from the columns triggers keep. */
export async function countProfileStats(db: Knex, id: number): Promise<ProfileCounts> {
  const row = (await db('profiles').joinRaw(PENDING_COUNTS).where({ id }).first('notice_count', 'subscription_count', 'subscriber_count', 'favorite_count', 'pending.*')) as Record<string, unknown> | undefined;
  return row ? countsOf(row) : { notices: 0, subscriptions: 0, subscribers: 0, favorites: 0 };
}

/** The fields a local user edits on their profile settings page. */
export type LocalProfileFields = { fullname: string | null; bio: string | null; location: string | null; homepage: string | null };

/** Saves a local profile's editable fields. */
export async function updateLocalProfileFields(db: Knex, id: number, fields: LocalProfileFields): Promise<void> {
  await db('profiles').where({ id, is_local: true }).update({ ...fields, updated_at: db.fn.now() });
}

/** Sets a profile's avatar key (null removes it) and returns the key it had; call it in a transaction. */
export async function swapAvatarKey(db: Knex, id: number, key: string | null): Promise<{ found: boolean; oldKey: string | null }> {
  const row = (await db('profiles').where({ id }).forUpdate().first('avatar_key')) as { avatar_key: string | null } | undefined;
  if (!row) return { found: false, oldKey: null };
  await db('profiles').where({ id }).update({ avatar_key: key, updated_at: db.fn.now() });
  return { found: true, oldKey: row.avatar_key };
}

/** Like swapAvatarKey for a remote profile, but only while its avatar URL is still `sourceUrl`. */
export async function swapRemoteAvatarKey(db: Knex, id: number, sourceUrl: string | null, key: string | null): Promise<{ found: boolean; oldKey: string | null }> {
  const query = db('profiles').where({ id, is_local: false }).forUpdate();
  const row = (await (sourceUrl === null ? query.whereNull('avatar_url') : query.where('avatar_url', sourceUrl)).first('avatar_key')) as
    | { avatar_key: string | null }
    | undefined;
  if (!row) return { found: false, oldKey: null };
  await db('profiles').where({ id }).update({ avatar_key: key });
  return { found: true, oldKey: row.avatar_key };
}
