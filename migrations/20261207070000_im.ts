// Instant messaging (XMPP): each local user's Jabber address, confirmed or waiting for its
// single-use confirmation link (only the link token's SHA-256 is stored), and what to send it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE im_addresses (
      user_id          bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      jid              text,        -- the confirmed bare JID, lower case: the only one messages are taken from or sent to
      pending_jid      text,        -- given in settings, waiting for its confirmation link to be followed
      token_hash       bytea,       -- the link sent to pending_jid (a newer link replaces it)
      token_expires_at timestamptz,
      notify_notices   boolean NOT NULL DEFAULT true,  -- the notices of the people they subscribe to
      notify_replies   boolean NOT NULL DEFAULT true,  -- notices that mention them or answer theirs
      post_by_chat     boolean NOT NULL DEFAULT true,  -- what they send the bot becomes a notice
      echo_posts       boolean NOT NULL DEFAULT false, -- the bot answers each notice posted by chat with its link
      paused           boolean NOT NULL DEFAULT false, -- the "off" command: nothing sent until "on"
      created_at       timestamptz NOT NULL DEFAULT now(),
      CHECK (jid IS NOT NULL OR pending_jid IS NOT NULL),
      CHECK ((token_hash IS NULL) = (token_expires_at IS NULL))
    );
    -- One account per address, so that a message from it has one author.
    CREATE UNIQUE INDEX im_addresses_jid ON im_addresses (jid) WHERE jid IS NOT NULL;
    CREATE UNIQUE INDEX im_addresses_token ON im_addresses (token_hash) WHERE token_hash IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE im_addresses');
}
