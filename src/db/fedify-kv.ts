// Fedify's key-value entries: one row per key path, with an optional expiry.
import type { Knex } from 'knex';

export type KvEntry = { key: string; value: unknown };

// Expired rows still present are treated as absent; a periodic purge removes them.
const LIVE = '(expires_at IS NULL OR expires_at > now())';

/** The value stored under this key, or undefined (also when it has expired). */
export async function getKvValue(db: Knex, key: string): Promise<unknown> {
  const row = await db('fedify_kv').where({ key }).whereRaw(LIVE).first('value');
  return row === undefined ? undefined : (row.value as unknown);
}

/** Stores a value (replacing any), expiring after ttlMs when given. */
export async function setKvValue(db: Knex, key: string, value: unknown, ttlMs: number | undefined): Promise<void> {
  await db.raw(
    `INSERT INTO fedify_kv (key, value, expires_at) VALUES (?, ?::jsonb, ${ttlMs === undefined ? 'NULL' : "now() + (? * interval '1 millisecond')"})
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ttlMs === undefined ? [key, JSON.stringify(value)] : [key, JSON.stringify(value), ttlMs],
  );
}

/** Removes a key. */
export async function deleteKvValue(db: Knex, key: string): Promise<void> {
  await db('fedify_kv').where({ key }).delete();
}

/** Sets the value only if the current one equals `expected` (undefined: absent); true when it did. */
export async function compareAndSetKvValue(db: Knex, key: string, expected: unknown, value: unknown, ttlMs: number | undefined): Promise<boolean> {
  const expires = ttlMs === undefined ? 'NULL' : "now() + (:ttl * interval '1 millisecond')";
  const params = { key, value: JSON.stringify(value), expected: JSON.stringify(expected ?? null), ttl: ttlMs ?? 0 };
  if (expected === undefined) {
    // Absent, or present but expired: both count as "no value".
    const result = await db.raw(
      `INSERT INTO fedify_kv (key, value, expires_at) VALUES (:key, :value::jsonb, ${expires})
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE fedify_kv.expires_at IS NOT NULL AND fedify_kv.expires_at <= now()
       RETURNING key`,
      params,
    );
    return result.rows.length > 0;
  }
  const result = await db.raw(
    `UPDATE fedify_kv SET value = :value::jsonb, expires_at = ${expires}
     WHERE key = :key AND value = :expected::jsonb AND ${LIVE} RETURNING key`,
    params,
  );
  return result.rows.length > 0;
}

/** Live entries whose key starts with this prefix (a JSON array text without its closing bracket). */
export async function listKvEntries(db: Knex, prefix: string): Promise<KvEntry[]> {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db('fedify_kv').whereRaw(`key LIKE ? ESCAPE '\\'`, [`${escaped}%`]).whereRaw(LIVE).orderBy('key').select('key', 'value');
  return rows.map((row) => ({ key: row.key as string, value: row.value as unknown }));
}

/** Deletes expired entries; returns how many. */
export async function purgeExpiredKv(db: Knex): Promise<number> {
  return db('fedify_kv').where('expires_at', '<=', db.fn.now()).delete();
}
