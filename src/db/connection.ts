// Opens the database: the server at DATABASE_URL, or the embedded Postgres under DATA_DIR.
import knexFactory from 'knex';
import type { Knex } from 'knex';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { useUnnamedStatements } from './prepared.ts';

export type Db = Knex;

export type Database = {
  /** The query builder every repository uses. */
  knex: Db;
  /** Connection string for other pg clients (job queue, session store). */
  url: string;
  /** Applies pending migrations on a connection of their own, free of the per-query timeouts; returns the names of those it ran. */
  migrate(): Promise<string[]>;
  /** Closes the pool and, in embedded mode, the embedded server. */
  close(): Promise<void>;
};

// Return BIGINT (int8) columns as numbers: ids stay far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/** How long a caller waits for a connection, or for a query, before it gets an error (and a page a 503). */
export const DATABASE_TIMEOUTS = Object.freeze({
  connectMs: 5_000,
  acquireMs: 10_000,
  // The server cancels a statement after this; the client gives up a little later, for a server
  // (or a network path) that has gone silent and would otherwise hold the request until TCP gives up.
  statementMs: 30_000,
  queryMs: 35_000,
});

/** pg connection settings shared by every pool that serves requests or jobs. */
export function poolConnectionSettings(url: string, embedded: boolean): Pick<pg.ClientConfig, 'connectionString' | 'connectionTimeoutMillis' | 'query_timeout' | 'keepAlive' | 'statement_timeout'> {
  return {
    connectionString: url,
    connectionTimeoutMillis: DATABASE_TIMEOUTS.connectMs,
    query_timeout: DATABASE_TIMEOUTS.queryMs,
    keepAlive: true,
    // The embedded socket speaks to a single-user PGlite: startup options are not passed on.
    ...(embedded ? {} : { statement_timeout: DATABASE_TIMEOUTS.statementMs }),
  };
}

/**
 * Connects to Postgres (embedded when no URL is given) and returns a knex instance; `joinEmbedded`
 * connects to an embedded database another process already serves rather than refusing.
 */
export async function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }, open: { joinEmbedded?: boolean } = {}): Promise<Database> {
  // The embedded database (PGlite and its WebAssembly build) is loaded only when it is used.
  const embedded = options.databaseUrl ? undefined : await (await import('./embedded.ts')).startEmbeddedPostgres(options.dataDir, { join: open.joinEmbedded ?? false });
  const url = options.databaseUrl ?? embedded!.url;
  const knex = knexFactory({
    client: 'pg',
    connection: poolConnectionSettings(url, embedded !== undefined),
    pool: { min: 0, max: 10, acquireTimeoutMillis: DATABASE_TIMEOUTS.acquireMs },
  });
  if (embedded) useUnnamedStatements(knex); // its connections are one session: named statements would collide
  return {
    knex,
    url,
    async migrate() {
      // A migration on a large table may rightly take minutes: no statement or query timeout here.
      const migrator = knexFactory({ client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: DATABASE_TIMEOUTS.connectMs }, pool: { min: 0, max: 2 } });
      try {
        return await migrateToLatest(migrator);
      } finally {
        await migrator.destroy();
      }
    },
    async close() {
      await knex.destroy();
      await embedded?.stop();
    },
  };
}
