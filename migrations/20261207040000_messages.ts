// Direct messages (Laconica 0.6): one person to one other, seen only by the two of them, kept
// apart from notices so that no timeline, feed, search or tag query can ever reach one. Each side
// deletes from their own box; a row leaves the table when neither box here holds it any more.
// Also the email switch for being told of a new message.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE messages (
      id               bigserial PRIMARY KEY,
      sender_id        bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      recipient_id     bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      content          text NOT NULL,
      rendered         text NOT NULL,   -- HTML made once when the message is saved (sanitized, when remote)
      uri              text,            -- a remote message's id on its own server; local ones derive it
      url              text,            -- a remote message's page on its own server
      source           text NOT NULL DEFAULT 'web',
      -- A box that is not on this site (a remote sender's outbox, a remote recipient's inbox) is never ours to show.
      in_sender_box    boolean NOT NULL,
      in_recipient_box boolean NOT NULL,
      created_at       timestamptz NOT NULL DEFAULT now(),
      CHECK (sender_id <> recipient_id),
      CHECK (in_sender_box OR in_recipient_box)
    );
    -- Inbox and outbox pages: one keyset index scan each (whole, not partial: deleting a profile
    -- cascades through them too).
    CREATE INDEX messages_inbox ON messages (recipient_id, id);
    CREATE INDEX messages_outbox ON messages (sender_id, id);
    -- A remote message addressed to several people here is stored once for each of them, once however often it arrives.
    CREATE UNIQUE INDEX messages_uri ON messages (uri, recipient_id) WHERE uri IS NOT NULL;

    ALTER TABLE users ADD COLUMN notify_message boolean NOT NULL DEFAULT true;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE messages;
    ALTER TABLE users DROP COLUMN notify_message;
  `);
}
