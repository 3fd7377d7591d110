// Hosts that deliveries keep failing to reach: when each streak of failures began, so that a host
// that has failed for days is tried only now and then until it answers again, and the deliveries
// set aside meanwhile (kept as dead deliveries waiting for that host) go out once it does.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- A row exists only while a host is failing: its first answer removes it.
    CREATE TABLE delivery_hosts (
      host            text PRIMARY KEY,        -- host[:port] of the target URL, lower case
      failing_since   timestamptz NOT NULL,    -- the first failure of the current streak
      failures        integer NOT NULL DEFAULT 1,
      last_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error      text NOT NULL DEFAULT ''
    );

    -- Deliveries not attempted because their host had been failing for days: sent again, in
    -- order, when the host answers.
    ALTER TABLE dead_deliveries ADD COLUMN waiting_for_host text;
    CREATE INDEX dead_deliveries_waiting ON dead_deliveries (waiting_for_host, id) WHERE waiting_for_host IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX dead_deliveries_waiting;
    ALTER TABLE dead_deliveries DROP COLUMN waiting_for_host;
    DROP TABLE delivery_hosts;
  `);
}
