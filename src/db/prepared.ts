// Statements built once and prepared on the server: knex writes the SQL of a hot read at start-up,
// and each request only passes its values, as a named statement on a connection of knex's pool.
// Building a timeline query with knex's builder cost about 0.1 ms of CPU per page view, a tenth of
// the page; sending it as a fresh statement made Postgres parse and plan its 1 KB of SQL on every
// page view (about a fifth of Postgres's time for the page); a named statement is parsed once per
// connection and planned once it has a good generic plan.
import knex from 'knex';
import type { Knex } from 'knex';
import type pg from 'pg';

const writer = knex({ client: 'pg' }); // writes SQL only; never connects

/** The values a prepared statement takes (`other`: a second id; `ids`: a list of ids, for `= ANY($n::bigint[])`). */
export type StatementValues = { owner?: number | string; other?: number; before?: number; limit?: number; ids?: readonly number[] };
type SlotName = keyof StatementValues;

// Stand-ins passed to the builder, recognised in its bindings afterwards (limit() wants a number).
const STAND_INS = { owner: 987_654_301, before: 987_654_302, limit: 987_654_303 } as const;

/** SQL with $n placeholders, the value each placeholder takes, and the statement's name on the server. */
export type Statement = { name: string; sql: string; slots: SlotName[]; byLimit: Map<number, Statement> };

let statementCount = 0;

/**
 * Builds a statement once from a knex query written against stand-in values. Constants belong in
 * the SQL itself (whereRaw('n.is_local')), not in bindings: a generic plan does not know a bound
 * value, and would not use a partial index whose condition it matches.
 */
export function prepare(build: (db: Knex, values: typeof STAND_INS) => Knex.QueryBuilder): Statement {
  const { sql, bindings } = build(writer, STAND_INS).toSQL().toNative();
  const names = Object.keys(STAND_INS) as (keyof typeof STAND_INS)[];
  const slots = bindings.map((binding): SlotName => {
    const name = names.find((n) => STAND_INS[n] === binding);
    if (!name) throw new Error(`A prepared statement binds the constant ${String(binding)}: write it into its SQL (${sql})`);
    return name;
  });
  return prepareSql(sql, slots);
}

/** A statement written out in SQL, with $1, $2... standing for the values named in `slots`, in order. */
export function prepareSql(sql: string, slots: SlotName[]): Statement {
  statementCount += 1;
  return { name: `ostrakon_prepared_${statementCount}`, sql, slots, byLimit: new Map() };
}

// The statement with its LIMIT written into the SQL, one for each page size asked for. Postgres
// plans a prepared statement once for all values (a generic plan) only if that plan does not look
// dearer than one made for the values at hand; with LIMIT a parameter it guesses a tenth of the
// rows, the generic plan of a timeline looks dearer than it is, and every execution was planned
// afresh (2-3 ms of Postgres's time for a home timeline page, five times its execution).
function withLimit(statement: Statement, limit: number): Statement {
  let variant = statement.byLimit.get(limit);
  if (!variant) {
    const limitAt = statement.slots.indexOf('limit') + 1;
    const renumbered = new Map<number, number>();
    statement.slots.forEach((slot, index) => {
      if (slot !== 'limit') renumbered.set(index + 1, renumbered.size + 1);
    });
    const sql = statement.sql.replace(/\$(\d+)\b/g, (_match, digits: string) => {
      const position = Number(digits);
      return position === limitAt ? String(Math.trunc(limit)) : `$${renumbered.get(position)!}`;
    });
    variant = { name: `${statement.name}_limit_${Math.trunc(limit)}`, sql, slots: statement.slots.filter((slot) => slot !== 'limit'), byLimit: new Map() };
    statement.byLimit.set(limit, variant);
  }
  return variant;
}

// Connections that share one server session (the embedded database serves every connection from
// one session): a name prepared on one would already exist for the next, so they get unnamed statements.
const sharedSessions = new WeakSet<object>();

/** Sends this database's statements unnamed: its connections share one server session (embedded mode). */
export function useUnnamedStatements(db: Knex): void {
  sharedSessions.add(db.client.config as object);
}

// Postgres refuses to run a prepared statement whose result columns a migration has changed since
// it was prepared on this connection (a server still running while a newer one migrates).
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

/** Runs a prepared statement with this request's values (inside `db`'s transaction, if it is one) and returns its rows. */
export async function runPrepared(db: Knex, prepared: Statement, values: StatementValues): Promise<Record<string, unknown>[]> {
  const statement = prepared.slots.includes('limit') && values.limit !== undefined ? withLimit(prepared, values.limit) : prepared;
  const bindings = statement.slots.map((slot) => {
    const value = values[slot];
    if (value === undefined) throw new Error(`A prepared statement needs a value for ${slot}.`);
    return value;
  });
  // A transaction's client hands out the transaction's own connection and keeps it on release.
  const connection = (await db.client.acquireConnection()) as pg.Client & { __knexUid?: string; __knex__disposed?: string };
  // Announced as knex announces its own queries, for whoever listens (query logging, tests counting queries).
  db.client.emit('query', { method: 'raw', sql: statement.sql, bindings, __knexUid: connection.__knexUid });
  try {
    // A transaction's client shares its knex's configuration object (it inherits from the client).
    if (sharedSessions.has(db.client.config as object)) return (await connection.query(statement.sql, bindings)).rows as Record<string, unknown>[];
    return (await connection.query({ name: statement.name, text: statement.sql, values: bindings })).rows as Record<string, unknown>[];
  } catch (error) {
    if (!isStalePlan(error)) throw error;
    // The connection's prepared statements are of the old tables: knex's pool drops a connection
    // marked so (as it does one that failed) when it next hands it out, and a new one prepares afresh.
    connection.__knex__disposed = 'its prepared statements predate a migration';
    if (db.isTransaction) throw error; // the transaction is aborted: its caller sees the error
    return (await connection.query(statement.sql, bindings)).rows as Record<string, unknown>[];
  } finally {
    await db.client.releaseConnection(connection);
  }
}
