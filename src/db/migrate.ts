// Runs the knex migrations in migrations/, loading each file with a plain dynamic import.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations');

type MigrationModule = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

// knex's own loader decides between require and import from npm's environment variables;
// a source of our own works the same under npm, node and the test runner.
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(MIGRATIONS_DIR).filter((name) => /^\d{14}_[\w-]+\.ts$/.test(name)).sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, name)).href)) as MigrationModule;
  },
};

// Held while migrating, so that processes starting side by side on a new database (several web
// processes, a worker) take turns: knex's own lock table cannot guard the creation of itself.
const MIGRATION_LOCK_KEY = 0x4f535452; // "OSTR"

type RawConnection = { query(sql: string, values?: unknown[]): Promise<unknown> };

/** Applies every pending migration, one process at a time; returns the names of those it ran. */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const connection = (await knex.client.acquireConnection()) as RawConnection;
  try {
    await connection.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const [, applied] = (await knex.migrate.latest({ migrationSource, tableName: 'knex_migrations' })) as [number, string[]];
      return applied;
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/** True when every migration in migrations/ has been applied. */
export async function migrationsAreCurrent(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list({ migrationSource, tableName: 'knex_migrations' })) as [unknown[], unknown[]];
  return pending.length === 0;
}
