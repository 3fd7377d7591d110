// The plan Postgres picks for the one query a repository function sends, captured as the app runs it.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';

/**
 * EXPLAINs the single query `run` sends, with the given planner switches turned off (e.g.
 * enable_seqscan): tiny test tables make any plan cheap, so the switches forbid the plans that
 * would hide a missing index.
 */
export async function planOf(db: Knex, run: (db: Knex) => Promise<unknown>, disabled: readonly string[] = ['enable_seqscan']): Promise<string> {
  const queries: { sql: string; bindings: unknown[] }[] = [];
  const listener = (query: { sql: string; bindings: unknown[] }) => queries.push(query);
  db.on('query', listener);
  try {
    await run(db);
  } finally {
    db.off('query', listener);
  }
  assert.equal(queries.length, 1, 'one query');
  const query = queries[0]!;
  return db.transaction(async (trx) => {
    for (const setting of disabled) await trx.raw(`SET LOCAL ${setting} = off`);
    // The captured SQL uses the driver's $1 placeholders, so run it on the raw connection.
    const connection = (await trx.client.acquireConnection()) as { query(sql: string, values: unknown[]): Promise<{ rows: unknown[] }> };
    const result = await connection.query(`EXPLAIN ${query.sql}`, query.bindings);
    return (result.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
  });
}
