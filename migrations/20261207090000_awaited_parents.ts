// Replies that arrive before the notice they answer: a remote reply whose parent we do not have
// keeps that parent's URI, so that it joins the parent's conversation when the parent arrives
// (delivered, or fetched from its own server). The URI is cleared once the reply is threaded.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE notices ADD COLUMN in_reply_to_uri text; -- the URI of the notice it answers, while we do not have that notice
    -- Looked up for each remote notice stored: the replies that were waiting for it.
    CREATE INDEX notices_awaiting_parent ON notices (in_reply_to_uri) WHERE in_reply_to_uri IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX notices_awaiting_parent;
    ALTER TABLE notices DROP COLUMN in_reply_to_uri;
  `);
}
