// Sign-in attempts counted in Postgres, so that every web process shares one count per address and
// per account, and a restart does not hand out a fresh allowance.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE login_attempts (
      key      text PRIMARY KEY,
      hits     integer NOT NULL CHECK (hits >= 0),
      reset_at timestamptz NOT NULL
    );
    CREATE INDEX login_attempts_reset_at ON login_attempts (reset_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE login_attempts');
}
