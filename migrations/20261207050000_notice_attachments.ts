// Pictures attached to notices. Each is stored under DATA_DIR/attachments as two files named by a
// random key (the re-encoded original and a thumbnail). A remote picture starts as 'pending' with
// the URL it is copied from, and becomes 'ready' when our copy exists, or 'failed'.
// Deleting a notice detaches its pictures (notice_id becomes NULL) instead of deleting their rows,
// whatever path deleted it (author, moderator, remote Delete, removed account): the rows then say
// which files are left to remove, and the clean-up removes files and rows together.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE notice_attachments (
      id           bigserial PRIMARY KEY,
      notice_id    bigint REFERENCES notices (id) ON DELETE SET NULL,
      position     smallint NOT NULL CHECK (position BETWEEN 0 AND 15),
      state        text NOT NULL CHECK (state IN ('ready', 'pending', 'failed')),
      file_key     text UNIQUE CHECK (file_key ~ '^[0-9a-f]{32}$'),
      media_type   text NOT NULL,
      width        integer,
      height       integer,
      thumb_width  integer,
      thumb_height integer,
      alt          text NOT NULL DEFAULT '',
      remote_url   text,          -- where a remote picture is copied from; null for uploads
      created_at   timestamptz NOT NULL DEFAULT now(),
      CHECK (state <> 'ready' OR (file_key IS NOT NULL AND width > 0 AND height > 0 AND thumb_width > 0 AND thumb_height > 0)),
      CHECK (remote_url IS NOT NULL OR state = 'ready')
    );
    -- A notice's pictures in order: read for every notice on a timeline page.
    CREATE UNIQUE INDEX notice_attachments_by_notice ON notice_attachments (notice_id, position) WHERE notice_id IS NOT NULL;
    -- Pictures of deleted notices, whose files the clean-up removes.
    CREATE INDEX notice_attachments_detached ON notice_attachments (id) WHERE notice_id IS NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE notice_attachments');
}
