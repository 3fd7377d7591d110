// Opens the database: the server at DATABASE_URL, or the embedded Postgres under DATA_DIR.
import knexFactory from 'knex';
import type { Knex } from 'knex';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';

export type Db = Knex;

export type Database = {
  /** The query builder every repository uses. */
  knex: Db;
  /** Connection string for other pg clients (job queue, session store). */
  url: string;
  /** Closes the pool and, in embedded mode, the embedded server. */
  close(): Promise<void>;
};

// Return BIGINT (int8) columns as numbers: ids stay far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * Connects to Postgres (embedded when no URL is given) and returns a knex instance; `joinEmbedded`
 * connects to an embedded database another process already serves rather than refusing.
 */
export async function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }, open: { joinEmbedded?: boolean } = {}): Promise<Database> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, { join: open.joinEmbedded ?? false });
  const url = options.databaseUrl ?? embedded!.url;
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: url, connectionTimeoutMillis: 5000 },
    pool: { min: 0, max: 10, acquireTimeoutMillis: 10000 },
  });
  return {
    knex,
    url,
    async close() {
      await knex.destroy();
      await embedded?.stop();
    },
  };
}
