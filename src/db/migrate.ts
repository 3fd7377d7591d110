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

/** Applies every pending migration; returns the names of those it ran. */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource, tableName: 'knex_migrations' })) as [number, string[]];
  return applied;
}

/** True when every migration in migrations/ has been applied. */
export async function migrationsAreCurrent(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list({ migrationSource, tableName: 'knex_migrations' })) as [unknown[], unknown[]];
  return pending.length === 0;
}
