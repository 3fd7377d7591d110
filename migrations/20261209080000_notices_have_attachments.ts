// Whether a notice has pictures, on the notice itself: every list page reads its notices' pictures
// in the page's own query, and asking notice_attachments for each of the twenty notices of a page
// was about a fifth of Postgres's time for the page, for the many notices that have none. The flag
// lets that lookup run only for notices that have pictures; triggers keep it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE notices ADD COLUMN has_attachments boolean NOT NULL DEFAULT false;
    UPDATE notices SET has_attachments = true WHERE id IN (SELECT notice_id FROM notice_attachments);

    -- Pictures are added to a notice, removed from it, or detached from it (notice_id set to NULL
    -- when the notice is deleted; the row stays until its files are removed).
    CREATE FUNCTION notice_attachments_flag() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'DELETE' THEN
        IF NEW.notice_id IS NOT NULL THEN
          UPDATE notices SET has_attachments = true WHERE id = NEW.notice_id AND NOT has_attachments;
        END IF;
      END IF;
      IF TG_OP <> 'INSERT' THEN
        IF OLD.notice_id IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.notice_id IS DISTINCT FROM OLD.notice_id) THEN
          -- A notice being deleted is already gone: the UPDATE finds no row.
          UPDATE notices SET has_attachments = false
          WHERE id = OLD.notice_id AND has_attachments AND NOT EXISTS (SELECT 1 FROM notice_attachments WHERE notice_id = OLD.notice_id);
        END IF;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER notice_attachments_flag AFTER INSERT OR DELETE OR UPDATE OF notice_id ON notice_attachments
      FOR EACH ROW EXECUTE FUNCTION notice_attachments_flag();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER notice_attachments_flag ON notice_attachments;
    DROP FUNCTION notice_attachments_flag();
    ALTER TABLE notices DROP COLUMN has_attachments;
  `);
}
