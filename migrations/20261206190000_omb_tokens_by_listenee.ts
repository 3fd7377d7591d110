// Access tokens looked up by listenee: a new authorization for a remote person must come from the
// consumer that already speaks for them.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX omb_access_tokens_subscribed ON omb_access_tokens (subscribed_id, consumer_key)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX omb_access_tokens_subscribed');
}
