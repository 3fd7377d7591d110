// Safety: people a user blocks or mutes, nicknames of deleted accounts (never given out again),
// servers the site blocks, and where a report came from or went to over ActivityPub.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- A block ends subscriptions both ways and refuses new ones; a mute only hides. Both keep the
    -- person's notices off the blocker's home timeline and replies (read through the primary key).
    CREATE TABLE blocks (
      blocker_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      blocked_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      kind       text NOT NULL CHECK (kind IN ('block', 'mute')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (blocker_id, blocked_id),
      CHECK (blocker_id <> blocked_id)
    );
    CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);

    -- Other servers keep a deleted account's addresses (actor id, OMB identifier, handle): its
    -- nickname is never registered again, and its keys still sign the Delete that tells them.
    CREATE TABLE deleted_accounts (
      nickname   text PRIMARY KEY,
      profile_id bigint NOT NULL UNIQUE,
      deleted_at timestamptz NOT NULL DEFAULT now()
    );

    -- Servers the site cuts off (suspend) or keeps off its public pages (silence). A host blocks its
    -- subdomains too; 'host:port' blocks that port only. The people it moderated carry created_at
    -- in suspended_at or silenced_at, so lifting the block restores exactly those.
    CREATE TABLE domain_blocks (
      host       text PRIMARY KEY,
      severity   text NOT NULL CHECK (severity IN ('suspend', 'silence')),
      note       text NOT NULL DEFAULT '',
      created_by bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- origin: the server a report came from (an ActivityPub Flag); forwarded_at: when it was sent
    -- on to the reported person's server.
    ALTER TABLE reports ADD COLUMN origin text;
    ALTER TABLE reports ADD COLUMN forwarded_at timestamptz;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE reports DROP COLUMN origin, DROP COLUMN forwarded_at;
    DROP TABLE domain_blocks, deleted_accounts, blocks;
  `);
}
