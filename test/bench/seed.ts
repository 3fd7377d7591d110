// The benchmark's dataset: a deterministic, heavy-tailed site bulk-loaded straight into Postgres
// (generate_series, hash-based "random" numbers, no Math.random), with home timelines filled as the
// fan-out would have filled them, then VACUUM ANALYZE. A database once seeded is reused: only the
// rows a previous run added are removed.
import pg from 'pg';
import knexFactory from 'knex';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { HOME_TIMELINE_CAP } from '../../src/domain/fanout.ts';

export type Size = { users: number; notices: number; heavyFollows: number };

/** Who plays which part in the dataset (profile ids). */
export type Cast = {
  popular: number;
  heavyReader: number;
  medianReader: number;
  sparseReader: number;
  medianAuthor: number;
  /** An id far down the public timeline, for the deep "Older" page. */
  deepBefore: number;
};

const SEED_VERSION = 4; // bump when the shape of the data changes

/** The parts, from the size alone: user 1 is popular, 2-11 follow many, the last user follows 3 quiet accounts. */
export function castOf(size: Size): Cast {
  return {
    popular: 1,
    heavyReader: 2,
    medianReader: Math.floor(size.users / 2),
    sparseReader: size.users,
    medianAuthor: Math.floor(size.users / 2) + 1,
    deepBefore: Math.floor(size.notices / 10),
  };
}

async function exec(db: pg.Client, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return db.query(sql, values);
}

/** Creates the database if needed and brings its schema up to date. */
export async function prepareDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const knex = knexFactory({ client: 'pg', connection: url.href, pool: { min: 0, max: 2 } });
  try {
    await migrateToLatest(knex);
  } finally {
    await knex.destroy();
  }
  return url.href;
}

// Secondary indexes of a table (not those behind constraints), to drop before a bulk load and rebuild after.
async function secondaryIndexes(db: pg.Client, table: string): Promise<{ name: string; definition: string }[]> {
  const { rows } = await exec(
    db,
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
     WHERE i.tablename = $1 AND i.schemaname = 'public'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [table],
  );
  return rows as { name: string; definition: string }[];
}

async function withoutIndexes(db: pg.Client, table: string, load: () => Promise<void>): Promise<void> {
  const indexes = await secondaryIndexes(db, table);
  for (const index of indexes) await exec(db, `DROP INDEX ${index.name}`);
  await load();
  for (const index of indexes) await exec(db, index.definition);
}

// Home timelines as fan-out on write leaves them, for the users `where` selects (SQL on u).
async function fillHomeTimelines(db: pg.Client, where: string, values: unknown[] = []): Promise<void> {
  await exec(
    db,
    `INSERT INTO home_timeline_entries (user_id, notice_id)
     SELECT u.id, top.id FROM users u CROSS JOIN LATERAL (
       SELECT n.id FROM (SELECT s.subscribed_id AS pid FROM subscriptions s WHERE s.subscriber_id = u.id UNION ALL SELECT u.id) f
       CROSS JOIN LATERAL (SELECT id FROM notices WHERE profile_id = f.pid ORDER BY id DESC LIMIT $1::int) n
       ORDER BY n.id DESC LIMIT $1::int) top
     WHERE ${where}`,
    [HOME_TIMELINE_CAP, ...values],
  );
}

async function bulkLoad(db: pg.Client, size: Size, cast: Cast, log: (line: string) => void): Promise<void> {
  const { users: n, notices: m } = size;
  await exec(db, 'TRUNCATE profiles, notices, subscriptions, home_timeline_entries, sessions, oauth_nonces, omb_consumers, notice_deletions CASCADE');
  // Foreign-key triggers are skipped during the load: every id below is made to exist.
  await exec(db, "SET session_replication_role = 'replica'");
  await exec(db, "SET maintenance_work_mem = '512MB'");
  await exec(db, `CREATE OR REPLACE FUNCTION pg_temp.r(g bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE
                  AS $$ SELECT (hashint8(g * 7919 + salt)::bigint & 2147483647)::float8 / 2147483648 $$`);
  const start = Date.now();
  await exec(
    db,
    `INSERT INTO profiles (id, nickname, fullname, bio, location, is_local, created_at, updated_at)
     SELECT g, 'user' || g, 'User Number ' || g, 'Writes about things, number ' || g, 'Town ' || (g % 97), true,
            timestamptz '2025-01-01' + g * interval '1 minute', timestamptz '2025-01-01' + g * interval '1 minute'
     FROM generate_series(1, $1::int) g`,
    [n],
  );
  await exec(db, `SELECT setval('profiles_id_seq', $1::int)`, [n]);
  await exec(db, `INSERT INTO users (id, password_hash, created_at) SELECT g, '!', timestamptz '2025-01-01' FROM generate_series(1, $1::int) g`, [n]);
  log(`  profiles and users: ${Date.now() - start} ms`);

  await withoutIndexes(db, 'notices', async () => {
    // Authors: 30 old notices from the 10 quiet accounts at the end; the rest heavy-tailed toward
    // low ids (user 1 writes about 5% of everything, a median user about 50 notices per 100,000/1000).
    await exec(
      db,
      `INSERT INTO notices (id, profile_id, content, rendered, is_local, conversation_id, source, created_at)
       SELECT g, a.author, t.text, t.text, true, g, 'web', timestamptz '2025-06-01' + g * interval '10 seconds'
       FROM generate_series(1, $1::int) g
       CROSS JOIN LATERAL (SELECT CASE WHEN g <= 30 THEN $2::int - 9 + (g % 10)
                                       ELSE 1 + floor(($2::int - 10) * pg_temp.r(g, 1) ^ 3)::int END AS author) a
       CROSS JOIN LATERAL (SELECT 'Notice ' || g || ': ' || substr('the quick brown fox jumps over the lazy dog while a small bird sings about the weather and the river runs past the old mill towards the sea',
                                  1 + (g % 40), 50 + (g % 70)) AS text) t`,
      [m, n],
    );
    await exec(db, `SELECT setval('notices_id_seq', $1::int)`, [m]);
    log(`  ${m} notices: ${Date.now() - start} ms`);
  });
  log(`  notice indexes: ${Date.now() - start} ms`);

  await withoutIndexes(db, 'subscriptions', async () => {
    // Everyone but the sparse reader follows the popular user.
    await exec(db, `INSERT INTO subscriptions (subscriber_id, subscribed_id) SELECT g, $1::int FROM generate_series(1, $2::int) g WHERE g <> $1 AND g <> $3`, [
      cast.popular,
      n,
      cast.sparseReader,
    ]);
    // Ten heavy readers follow about `heavyFollows` people each.
    await exec(
      db,
      `INSERT INTO subscriptions (subscriber_id, subscribed_id)
       SELECT h, 12 + ((h * 131 + k) % ($2::int - 22)) FROM generate_series(2, 11) h, generate_series(1, $1::int) k
       ON CONFLICT DO NOTHING`,
      [size.heavyFollows, n],
    );
    // Everyone else follows 1 to 30 more, mostly people with low ids (who write the most).
    await exec(
      db,
      `INSERT INTO subscriptions (subscriber_id, subscribed_id)
       SELECT g, f.id FROM generate_series(12, $1::int - 1) g
       CROSS JOIN LATERAL generate_series(1, 1 + floor(29 * pg_temp.r(g, 3) ^ 2)::int) j
       CROSS JOIN LATERAL (SELECT 2 + floor(($1::int - 12) * pg_temp.r(g * 64 + j, 4) ^ 2)::int AS id) f
       WHERE f.id <> g
       ON CONFLICT DO NOTHING`,
      [n],
    );
    // The sparse reader follows three quiet accounts.
    await exec(db, `INSERT INTO subscriptions (subscriber_id, subscribed_id) SELECT $1::int, $1::int - k FROM generate_series(1, 3) k`, [cast.sparseReader]);
  });
  log(`  subscriptions: ${Date.now() - start} ms`);
  // Triggers were off for the load: the header counters are set from the rows once.
  await exec(
    db,
    `UPDATE profiles p SET notice_count = coalesce(n.c, 0), subscription_count = coalesce(s.c, 0), subscriber_count = coalesce(f.c, 0)
     FROM profiles q
     LEFT JOIN (SELECT profile_id, count(*) AS c FROM notices GROUP BY profile_id) n ON n.profile_id = q.id
     LEFT JOIN (SELECT subscriber_id, count(*) AS c FROM subscriptions GROUP BY subscriber_id) s ON s.subscriber_id = q.id
     LEFT JOIN (SELECT subscribed_id, count(*) AS c FROM subscriptions GROUP BY subscribed_id) f ON f.subscribed_id = q.id
     WHERE p.id = q.id`,
  );

  // Home timelines as fan-out on write leaves them: each user's newest HOME_TIMELINE_CAP notices
  // among their own and those of the people they follow.
  await withoutIndexes(db, 'home_timeline_entries', async () => {
    await exec(db, 'ALTER TABLE home_timeline_entries DROP CONSTRAINT home_timeline_entries_pkey');
    await fillHomeTimelines(db, 'TRUE');
    log(`  home timelines: ${Date.now() - start} ms`);
    await exec(db, 'ALTER TABLE home_timeline_entries ADD CONSTRAINT home_timeline_entries_pkey PRIMARY KEY (user_id, notice_id)');
  });
  log(`  home timeline indexes: ${Date.now() - start} ms`);
  await exec(db, "SET session_replication_role = 'origin'");
}

/** Seeds the dataset unless this database already holds it; then removes what earlier runs added. */
export async function seedDataset(url: string, size: Size, log: (line: string) => void): Promise<{ seededNow: boolean; seconds: number }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const started = Date.now();
  try {
    await exec(db, 'CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)');
    const signature = JSON.stringify({ version: SEED_VERSION, ...size });
    const { rows } = await exec(db, "SELECT value FROM bench_meta WHERE key = 'dataset'");
    const seededNow = rows[0]?.value !== signature;
    if (seededNow) {
      log(`seeding ${size.users} users and ${size.notices} notices (about a minute per 200,000 notices) ...`);
      await exec(db, "DELETE FROM bench_meta WHERE key = 'dataset'");
      await bulkLoad(db, size, castOf(size), log);
      await exec(db, 'VACUUM ANALYZE');
      await exec(db, "INSERT INTO bench_meta (key, value) VALUES ('dataset', $1)", [signature]);
    } else {
      // Rows from earlier runs: notices posted or received, remote profiles, sessions, nonces.
      await exec(db, 'DELETE FROM notices WHERE id > $1', [size.notices]);
      await exec(db, 'DELETE FROM profiles WHERE id > $1', [size.users]);
      await exec(db, 'TRUNCATE sessions, oauth_nonces, omb_consumers, notice_deletions CASCADE');
      // The readers the pages are measured for also receive the inbound notices of a run: the hourly
      // trim may have cut their seeded entries meanwhile. Theirs are made again as the seed made them.
      const cast = castOf(size);
      const readers = [cast.heavyReader, cast.medianReader, cast.sparseReader];
      await exec(db, 'DELETE FROM home_timeline_entries WHERE user_id = ANY($1::int[])', [readers]);
      await fillHomeTimelines(db, 'u.id = ANY($2::int[])', [readers]);
      await exec(db, `SELECT setval('notices_id_seq', $1::int), setval('profiles_id_seq', $2::int)`, [size.notices, size.users]);
      await exec(db, 'VACUUM ANALYZE notices, profiles, home_timeline_entries');
    }
    return { seededNow, seconds: (Date.now() - started) / 1000 };
  } finally {
    await db.end();
  }
}

/** Bytes on disk (table, indexes, TOAST) per notice and per home-timeline row. */
export async function storageFigures(url: string): Promise<{ bytesPerNotice: number; bytesPerHomeRow: number; homeRows: number }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await exec(
      db,
      `SELECT pg_total_relation_size('notices')::float8 / greatest(1, (SELECT count(*) FROM notices)) AS per_notice,
              pg_total_relation_size('home_timeline_entries')::float8 / greatest(1, (SELECT count(*) FROM home_timeline_entries)) AS per_home,
              (SELECT count(*) FROM home_timeline_entries)::int AS home_rows`,
    );
    return { bytesPerNotice: Math.round(rows[0].per_notice), bytesPerHomeRow: Math.round(rows[0].per_home), homeRows: rows[0].home_rows };
  } finally {
    await db.end();
  }
}
