// Favorites (Laconica 0.6) and repeats (StatusNet 0.9).
//
// A favorite is a row per person and notice; the notice's count, the person's count and the
// notice's popularity are kept in columns by triggers, whatever path writes the rows (a page, an
// ActivityPub Like, a deleted account).
//
// Popularity weighs favorites as Laconica's popular page did, each by exp(-age / τ) (here τ is
// 10 days), summed per notice; it is kept in a form that does not change with time: ln(sum(exp(t / 10 days))), t being each
// favorite's time in seconds since 1970. Both rank notices alike at any moment (they differ by the
// same -now / 10 days for all), so /favorited is one index scan and keyset paging is stable.
// Logarithms keep the numbers small: a new favorite adds with log_add, never exp() of a large t.
//
// A repeat is a notice of its own (so it is in the repeater's stream, fans out to their
// subscribers and federates like one) that points at the notice it repeats; one per person per
// notice, and it goes when the original goes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE notices
      ADD COLUMN repeat_of      bigint REFERENCES notices (id) ON DELETE CASCADE,
      ADD COLUMN favorite_count integer NOT NULL DEFAULT 0,
      ADD COLUMN popularity     double precision;   -- NULL: never favorited (or no longer)
    -- One repeat per person per notice; also the index the cascade and "repeated by me" look up.
    CREATE UNIQUE INDEX notices_one_repeat ON notices (repeat_of, profile_id) WHERE repeat_of IS NOT NULL;
    CREATE INDEX notices_popular ON notices (popularity, id) WHERE popularity IS NOT NULL;   -- read backwards

    ALTER TABLE profiles
      ADD COLUMN favorite_count       integer NOT NULL DEFAULT 0,
      ADD COLUMN favorites_changed_at timestamptz;   -- the last favorite added or removed (feed validators)

    ALTER TABLE users ADD COLUMN notify_favorite boolean NOT NULL DEFAULT true;

    CREATE TABLE favorites (
      id         bigserial PRIMARY KEY,    -- also the order of a person's favorites page
      profile_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      notice_id  bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
      uri        text,                     -- the Like's id, for a favorite from another server
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (profile_id, notice_id)
    );
    CREATE INDEX favorites_by_profile ON favorites (profile_id, id);
    CREATE INDEX favorites_by_notice ON favorites (notice_id);
    CREATE UNIQUE INDEX favorites_uri ON favorites (uri) WHERE uri IS NOT NULL;

    -- ln(exp(a) + exp(b)) without overflow; NULL is the weight of nothing.
    CREATE FUNCTION log_add(a double precision, b double precision) RETURNS double precision
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE greatest(a, b) + ln(1 + exp(-abs(a - b))) END
      $$;
    CREATE AGGREGATE log_sum(double precision) (SFUNC = log_add, STYPE = double precision);
    -- A favorite's weight at time t, in the log form above.
    CREATE FUNCTION favorite_weight(at timestamptz) RETURNS double precision
      LANGUAGE sql IMMUTABLE AS $$ SELECT extract(epoch FROM at)::double precision / 864000 $$;

    CREATE FUNCTION count_favorites() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        UPDATE notices n SET favorite_count = n.favorite_count + d.n, popularity = log_add(n.popularity, d.w)
        FROM (SELECT notice_id, count(*) AS n, log_sum(favorite_weight(created_at)) AS w FROM changed GROUP BY notice_id) d
        WHERE n.id = d.notice_id;
        UPDATE profiles p SET favorite_count = p.favorite_count + d.n, favorites_changed_at = now()
        FROM (SELECT profile_id, count(*) AS n FROM changed GROUP BY profile_id) d WHERE p.id = d.profile_id;
      ELSE
        -- A logarithm cannot be taken back exactly: the notice's remaining favorites are summed again.
        UPDATE notices n SET favorite_count = n.favorite_count - d.n,
          popularity = (SELECT log_sum(favorite_weight(f.created_at)) FROM favorites f WHERE f.notice_id = n.id)
        FROM (SELECT notice_id, count(*) AS n FROM changed GROUP BY notice_id) d
        WHERE n.id = d.notice_id;
        UPDATE profiles p SET favorite_count = p.favorite_count - d.n, favorites_changed_at = now()
        FROM (SELECT profile_id, count(*) AS n FROM changed GROUP BY profile_id) d WHERE p.id = d.profile_id;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER favorites_counted_on_insert AFTER INSERT ON favorites REFERENCING NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION count_favorites();
    CREATE TRIGGER favorites_counted_on_delete AFTER DELETE ON favorites REFERENCING OLD TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION count_favorites();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE favorites;
    DROP FUNCTION count_favorites();
    DROP FUNCTION favorite_weight(timestamptz);
    DROP AGGREGATE log_sum(double precision);
    DROP FUNCTION log_add(double precision, double precision);
    ALTER TABLE users DROP COLUMN notify_favorite;
    ALTER TABLE profiles DROP COLUMN favorite_count, DROP COLUMN favorites_changed_at;
    DELETE FROM notices WHERE repeat_of IS NOT NULL;
    ALTER TABLE notices DROP COLUMN repeat_of, DROP COLUMN favorite_count, DROP COLUMN popularity;
  `);
}
