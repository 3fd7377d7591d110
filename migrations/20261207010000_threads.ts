// Replies and mentions across servers: a notice's content warning (a remote note's summary, as
// plain text), a log of edited notices so that feed validators move when a notice in them changes,
// and full handles (user@host) of remote actors looked up without a scan when a notice names one.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE notices
      ADD COLUMN summary text,         -- content warning shown above the text, or NULL
      ADD COLUMN edited_at timestamptz; -- when its author last edited it, or NULL

    -- Recent edits (each notice's latest), like notice_deletions: an edit at or above a feed's
    -- oldest id may have taken the notice out of the feed (a mention or tag dropped), which the
    -- edited_at of the notices still in it cannot show.
    CREATE TABLE notice_edits (
      notice_id bigint PRIMARY KEY,
      edited_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE INDEX ap_actors_handle ON ap_actors (lower(handle));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX ap_actors_handle;
    DROP TABLE notice_edits;
    ALTER TABLE notices DROP COLUMN summary, DROP COLUMN edited_at;
  `);
}
