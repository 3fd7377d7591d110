// The plan Postgres picks for the one query a repository function sends, captured as the app runs it.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';

type RawConnection = { __knexUid?: string; query(sql: string, values: unknown[]): Promise<{ rows: unknown[] }> };
type CapturedQuery = { sql: string; bindings: unknown[]; __knexUid?: string };

/**
 * EXPLAINs the single query `run` sends, with the given planner switches turned off (e.g.
 * enable_seqscan): tiny test tables make any plan cheap, so the switches forbid the plans that
 * would hide a missing index.
 */
export async function planOf(db: Knex, run: (db: Knex) => Promise<unknown>, disabled: readonly string[] = ['enable_seqscan']): Promise<string> {
  return db.transaction(async (trx) => {
    // The running server's job workers share this knex instance: count only the queries sent on
    // this transaction's connection.
    const connection = (await trx.client.acquireConnection()) as RawConnection;
    const queries: CapturedQuery[] = [];
    const listener = (query: CapturedQuery) => {
      if (query.__knexUid === connection.__knexUid) queries.push(query);
    };
    db.on('query', listener);
    try {
      await run(trx);
    } finally {
      db.off('query', listener);
    }
    assert.equal(queries.length, 1, 'one query');
    const query = queries[0]!;
    for (const setting of disabled) await trx.raw(`SET LOCAL ${setting} = off`);
    // The captured SQL uses the driver's $1 placeholders, so run it on the raw connection.
    const result = await connection.query(`EXPLAIN ${query.sql}`, query.bindings);
    return (result.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
  });
}
