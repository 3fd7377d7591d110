// Home-timeline rows without foreign keys. Postgres checks a foreign key row by row: fanning a
// notice out to 10,000 followers ran 20,000 checks (each locking the user's or the notice's row),
// about half the time of the INSERT (100 of 185 ms here). The rows are only ever written by
// statements that read the notice and the user they name (fan-out, backfill, one's own post), and
// what the cascades did is done once per statement by triggers: deleting notices or users deletes
// their rows. The fan-out and the backfill lock the notices they read (FOR KEY SHARE), so that a
// notice deleted meanwhile cannot leave rows behind.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE home_timeline_entries
      DROP CONSTRAINT home_timeline_entries_notice_id_fkey,
      DROP CONSTRAINT home_timeline_entries_user_id_fkey;

    CREATE FUNCTION remove_home_entries_of_notices() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM home_timeline_entries h USING gone g WHERE h.notice_id = g.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER notices_leave_home_timelines AFTER DELETE ON notices REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION remove_home_entries_of_notices();

    CREATE FUNCTION remove_home_timelines_of_users() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM home_timeline_entries h USING gone g WHERE h.user_id = g.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER users_leave_home_timelines AFTER DELETE ON users REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION remove_home_timelines_of_users();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER users_leave_home_timelines ON users;
    DROP FUNCTION remove_home_timelines_of_users();
    DROP TRIGGER notices_leave_home_timelines ON notices;
    DROP FUNCTION remove_home_entries_of_notices();
    DELETE FROM home_timeline_entries h WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = h.user_id)
      OR NOT EXISTS (SELECT 1 FROM notices n WHERE n.id = h.notice_id);
    ALTER TABLE home_timeline_entries
      ADD CONSTRAINT home_timeline_entries_notice_id_fkey FOREIGN KEY (notice_id) REFERENCES notices (id) ON DELETE CASCADE,
      ADD CONSTRAINT home_timeline_entries_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
  `);
}
