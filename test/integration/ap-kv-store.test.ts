// Fedify's key-value store over Postgres, on a Postgres server and on the embedded database:
// get/set/delete, expiry, compare-and-set, prefix listing, and Fedify's own use of it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Temporal } from '@js-temporal/polyfill';
import { openDatabase } from '../../src/db/connection.ts';
import type { Database } from '../../src/db/connection.ts';
import { purgeExpiredKv } from '../../src/db/fedify-kv.ts';
import { PostgresKvStore } from '../../src/federation/activitypub/kv-store.ts';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';

async function collect(store: PostgresKvStore, prefix?: readonly [string, ...string[]]) {
  const entries = [];
  for await (const entry of store.list(prefix)) entries.push(entry);
  return entries;
}

const kinds = [{ name: 'embedded database', embedded: true }, ...(process.env.DATABASE_URL ? [{ name: 'Postgres server', embedded: false }] : [])];

for (const kind of kinds) {
  describe(`PostgresKvStore on the ${kind.name}`, () => {
    let database: Database;
    let testDb: TestDatabase | undefined;
    let dataDir: string;
    let store: PostgresKvStore;

    before(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-kv-'));
      testDb = kind.embedded ? undefined : await createTestDatabase();
      database = await openDatabase({ databaseUrl: testDb?.url, dataDir });
      await database.migrate();
      store = new PostgresKvStore(database.knex);
    });
    after(async () => {
      await database?.close();
      await testDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('stores, reads and deletes JSON values by key path', async () => {
      assert.equal(await store.get(['a', 'b']), undefined);
      await store.set(['a', 'b'], { n: 1, list: ['x', null], text: 'é"\\' });
      assert.deepEqual(await store.get(['a', 'b']), { n: 1, list: ['x', null], text: 'é"\\' });
      await store.set(['a', 'b'], 'replaced');
      assert.equal(await store.get(['a', 'b']), 'replaced');
      await store.delete(['a', 'b']);
      assert.equal(await store.get(['a', 'b']), undefined);
    });

    it('keeps public keys in memory: read again without a query, an unchanged one not written again, a changed one replaced', async () => {
      const queries: string[] = [];
      const count = (query: { sql: string }) => queries.push(query.sql);
      const key = ['_fedify', 'publicKey', 'https://remote.example/actors/a#main-key'] as const;
      const other = new PostgresKvStore(database.knex); // another process's store
      database.knex.on('query', count);
      try {
        await store.set(key, { id: 'k', pem: 'one' });
        const sets = queries.length;
        assert.deepEqual(await store.get(key), { id: 'k', pem: 'one' });
        assert.equal(queries.length, sets, 'read from memory');
        const copy = (await store.get(key)) as { pem: string };
        copy.pem = 'changed by the reader';
        assert.deepEqual(await store.get(key), { id: 'k', pem: 'one' }, 'each read gets its own copy');
        await store.set(key, { id: 'k', pem: 'one' });
        assert.equal(queries.length, sets, 'an unchanged key is not written again');
        await other.set(key, { id: 'k', pem: 'two' }); // rotated elsewhere: this store learns it when it sets it again
        await store.set(key, { id: 'k', pem: 'two' });
        assert.deepEqual(await store.get(key), { id: 'k', pem: 'two' });
        assert.deepEqual(await other.get(key), { id: 'k', pem: 'two' });
        await store.delete(key);
        assert.equal(await store.get(key), undefined);
      } finally {
        database.knex.off('query', count);
      }
    });

    it('forgets a value after its time to live, and purges it', async () => {
      await store.set(['ttl'], 1, { ttl: Temporal.Duration.from({ milliseconds: 150 }) });
      assert.equal(await store.get(['ttl']), 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await store.get(['ttl']), undefined);
      assert.ok((await purgeExpiredKv(database.knex)) >= 1);
    });

    it('compares and sets', async () => {
      assert.equal(await store.cas(['c'], undefined, 1), true);
      assert.equal(await store.cas(['c'], undefined, 2), false);
      assert.equal(await store.cas(['c'], 2, 3), false);
      assert.equal(await store.cas(['c'], 1, 3), true);
      assert.equal(await store.get(['c']), 3);
      await store.set(['gone'], 'old', { ttl: Temporal.Duration.from({ milliseconds: 1 }) });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await store.cas(['gone'], undefined, 'new'), true, 'an expired value counts as absent');
    });

    it('lists by key prefix, never a sibling with a longer name', async () => {
      await store.set(['p', 'x'], 1);
      await store.set(['p', 'x', 'y'], 2);
      await store.set(['p', 'xy'], 3);
      await store.set(['p%', 'x'], 4);
      const under = await collect(store, ['p', 'x']);
      assert.deepEqual(under.map((e) => e.key).sort(), [['p', 'x'], ['p', 'x', 'y']]);
      assert.deepEqual((await collect(store, ['p'])).map((e) => e.value).sort(), [1, 2, 3]);
      assert.ok((await collect(store)).length >= 4);
    });
  });
}
