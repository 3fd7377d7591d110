// Fedify's KvStore over the fedify_kv table, so its cache and inbox bookkeeping live in Postgres
// (shared by every process, kept across restarts) on the embedded database and a server alike.
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import type { Db } from '../../domain/context.ts';
import { compareAndSetKvValue, deleteKvValue, getKvValue, listKvEntries, setKvValue } from '../../db/fedify-kv.ts';

function encode(key: KvKey): string {
  return JSON.stringify(key);
}

function ttlOf(options: KvStoreSetOptions | undefined): number | undefined {
  return options?.ttl === undefined ? undefined : Math.max(0, Math.round(options.ttl.total('millisecond')));
}

/** A KvStore whose entries are rows of fedify_kv. */
export class PostgresKvStore implements KvStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    return (await getKvValue(this.#db, encode(key))) as T | undefined;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    // undefined cannot be stored as JSON; Fedify never sets it, but a null keeps the key present.
    await setKvValue(this.#db, encode(key), value ?? null, ttlOf(options));
  }

  async delete(key: KvKey): Promise<void> {
    await deleteKvValue(this.#db, encode(key));
  }

  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    return compareAndSetKvValue(this.#db, encode(key), expectedValue, newValue ?? null, ttlOf(options));
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    // '["a","b"' is the text every key under ["a","b"] starts with (the key itself included).
    const text = prefix === undefined ? '[' : encode(prefix).slice(0, -1);
    for (const entry of await listKvEntries(this.#db, text)) {
      const key = JSON.parse(entry.key) as KvKey;
      if (prefix !== undefined && key.length > prefix.length && encode(key).charAt(text.length) !== ',') continue;
      yield { key, value: entry.value };
    }
  }
}
