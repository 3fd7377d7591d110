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

// Remote actors' public keys, which Fedify reads from the store for every signed request it
// verifies, are also kept in memory for a while: a query less per inbox POST. When a key changed
// on another process meanwhile, the signature fails with the old one and Fedify fetches the key
// again, which replaces it here too. Fedify also stores the key again after each failed signature:
// an unchanged key is not written.
const PUBLIC_KEY_PREFIX = encode(['_fedify', 'publicKey']).slice(0, -1);
const MEMO_MS = 5 * 60 * 1000;
const MEMO_ENTRIES = 1000;

/** A KvStore whose entries are rows of fedify_kv. */
export class PostgresKvStore implements KvStore {
  readonly #db: Db;
  readonly #keys = new Map<string, { json: string; until: number }>();

  constructor(db: Db) {
    this.#db = db;
  }

  #memo(key: string, json: string): void {
    this.#keys.delete(key);
    if (this.#keys.size >= MEMO_ENTRIES) this.#keys.delete(this.#keys.keys().next().value!); // the oldest
    this.#keys.set(key, { json, until: Date.now() + MEMO_MS });
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const text = encode(key);
    if (!text.startsWith(PUBLIC_KEY_PREFIX)) return (await getKvValue(this.#db, text)) as T | undefined;
    const memo = this.#keys.get(text);
    if (memo && memo.until > Date.now()) return JSON.parse(memo.json) as T; // a copy: Fedify may change what it gets
    const value = await getKvValue(this.#db, text);
    if (value === undefined) this.#keys.delete(text);
    else this.#memo(text, JSON.stringify(value));
    return value as T | undefined;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const text = encode(key);
    const ttl = ttlOf(options);
    // undefined cannot be stored as JSON; Fedify never sets it, but a null keeps the key present.
    const json = JSON.stringify(value ?? null);
    const memo = text.startsWith(PUBLIC_KEY_PREFIX) ? this.#keys.get(text) : undefined;
    if (memo && ttl === undefined && memo.json === json && memo.until > Date.now()) return;
    await setKvValue(this.#db, text, value ?? null, ttl);
    if (text.startsWith(PUBLIC_KEY_PREFIX)) {
      if (ttl === undefined) this.#memo(text, json);
      else this.#keys.delete(text); // an expiring entry (an unavailable key) is read from the table
    }
  }

  async delete(key: KvKey): Promise<void> {
    this.#keys.delete(encode(key));
    await deleteKvValue(this.#db, encode(key));
  }

  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    this.#keys.delete(encode(key));
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
