// Which favorites have already been told to the notice's author by email: favoriting, taking it
// back and favoriting again must not send the author one email each time.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE favorite_emails_sent (
      profile_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,   -- who favorited
      notice_id  bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
      PRIMARY KEY (notice_id, profile_id)
    );
    CREATE INDEX favorite_emails_sent_profile ON favorite_emails_sent (profile_id);   -- the cascade from profiles
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE favorite_emails_sent');
}
