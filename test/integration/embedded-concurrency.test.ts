// The embedded database serves many pg connections through one PGlite session. Parameterised
// queries use the extended protocol (Parse, Bind, Execute, Sync), whose unnamed statement lives in
// that one session: batches from different connections must never interleave, or one connection
// binds another's statement and gets an error or, worse, the other query's rows.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import type { EmbeddedPostgres } from '../../src/db/embedded.ts';

let dataDir: string;
let embedded: EmbeddedPostgres;
let pool: pg.Pool;

before(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-embedded-'));
  embedded = await startEmbeddedPostgres(dataDir);
  pool = new pg.Pool({ connectionString: embedded.url, max: 8 });
});
after(async () => {
  await pool?.end();
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the embedded database under concurrent connections', () => {
  it('answers every parameterised query with its own rows', async () => {
    // Two shapes of query, many at once on eight connections: each must see only its own answer.
    const runs = Array.from({ length: 600 }, async (_, i) => {
      if (i % 3 === 2) {
        // No parameters: the simple protocol, which drops the session's unnamed statement.
        const { rows } = await pool.query(`SELECT ${i} AS plain`);
        assert.deepEqual(rows, [{ plain: i }], `query ${i}`);
      } else if (i % 3 === 0) {
        const { rows } = await pool.query('SELECT $1::int * 2 AS doubled', [i]);
        assert.deepEqual(rows, [{ doubled: i * 2 }], `query ${i}`);
      } else {
        // A large parameter: its messages reach the server in several pieces.
        const text = `q${i}`.padEnd(300_000, '.');
        const { rows } = await pool.query('SELECT length($1::text) AS size, $2::int AS n', [text, i]);
        assert.deepEqual(rows, [{ size: text.length, n: i }], `query ${i}`);
      }
    });
    const results = await Promise.allSettled(runs);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason?.message ?? r.reason));
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of 600 queries went wrong`);
  });

  it('keeps serving after a connection drops in the middle of a batch', async () => {
    const client = new pg.Client({ connectionString: embedded.url });
    client.on('error', () => {}); // the drop below is the point
    await client.connect();
    // A Parse with no Sync after it: the batch stays open until its connection is gone.
    const sql = Buffer.from('SELECT 1\0\0');
    const parse = Buffer.alloc(1 + 4 + 2 + sql.length - 1);
    parse.write('P', 0);
    parse.writeInt32BE(parse.length - 1, 1);
    sql.copy(parse, 6); // "" (unnamed), then the query, then no parameter types
    const stream = (client as unknown as { connection: { stream: { write(b: Buffer): void; destroy(): void } } }).connection.stream;
    stream.write(parse);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.destroy();
    const { rows } = await withTimeout(pool.query('SELECT $1::int AS n', [7]));
    assert.deepEqual(rows, [{ n: 7 }]);
  });

  it('rolls back the transaction of a connection that drops before committing', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS dropped (n int)');
    const client = new pg.Client({ connectionString: embedded.url });
    client.on('error', () => {});
    await client.connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO dropped VALUES ($1)', [1]);
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await withTimeout(pool.query('INSERT INTO dropped VALUES ($1)', [2]));
    const { rows } = await withTimeout(pool.query('SELECT n FROM dropped ORDER BY n'));
    assert.deepEqual(rows, [{ n: 2 }]);
  });
});

// A stalled session shows as a hang: fail fast instead.
function withTimeout<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
