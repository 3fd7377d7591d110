// Search and feeds: a full-text index on notices, a trigram index on people's names, and a log
// of deleted notices so that feed validators (ETag, Last-Modified) change when a notice goes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    -- The 'simple' configuration lower-cases words and neither stems nor drops stop words: notices
    -- here are written in every language, and an English (or any one) stemmer would mangle the
    -- others and make words like "the" or "who" unsearchable. Queries must use this expression.
    CREATE INDEX notices_search ON notices USING gin (to_tsvector('simple', content));

    -- Nickname and full name as one string, matched with ILIKE through trigrams.
    CREATE INDEX profiles_search ON profiles USING gin ((nickname || ' ' || coalesce(fullname, '')) gin_trgm_ops);

    -- Every deleted notice, however it was deleted (by its author, or with its profile).
    CREATE TABLE notice_deletions (
      notice_id  bigint PRIMARY KEY,
      deleted_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE FUNCTION log_notice_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO notice_deletions (notice_id) VALUES (OLD.id) ON CONFLICT (notice_id) DO NOTHING;
      RETURN NULL;
    END $$;
    CREATE TRIGGER notices_log_deletion AFTER DELETE ON notices FOR EACH ROW EXECUTE FUNCTION log_notice_deletion();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER notices_log_deletion ON notices;
    DROP FUNCTION log_notice_deletion();
    DROP TABLE notice_deletions;
    DROP INDEX profiles_search;
    DROP INDEX notices_search;
  `); // pg_trgm stays: other database objects or later migrations may use it
}
