// Profile counters without a hot row. The triggers of 20261206210000 updated the author's profile
// row inside every transaction that added a notice, so that row stayed locked until the commit:
// notices from one author were stored one after another, each waiting for the previous one's WAL
// flush (an OMB peer pushing one person's notices got about 150/s however many connections it used).
// Now a trigger adds to the row only when it can lock it at once (SKIP LOCKED), folding in what
// others left meanwhile; when another transaction holds it, the change is written to a side table
// that readers add to the columns. Without concurrency, the side table stays empty.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE profile_count_deltas (
      profile_id    bigint  NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      notices       integer NOT NULL DEFAULT 0,
      subscriptions integer NOT NULL DEFAULT 0,
      subscribers   integer NOT NULL DEFAULT 0
    );
    CREATE INDEX profile_count_deltas_profile ON profile_count_deltas (profile_id);

    -- Adds to a profile's counters: on the row if nobody else holds it (with every change left
    -- aside before), else aside. A profile deleted in this transaction has nothing left to count.
    CREATE FUNCTION add_profile_counts(target bigint, d_notices integer, d_subscriptions integer, d_subscribers integer)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      -- NO KEY UPDATE: the key-share locks of rows that reference the profile do not stand in the way.
      PERFORM 1 FROM profiles WHERE id = target FOR NO KEY UPDATE SKIP LOCKED;
      IF FOUND THEN
        WITH folded AS (DELETE FROM profile_count_deltas WHERE profile_id = target RETURNING notices, subscriptions, subscribers)
        UPDATE profiles SET
          notice_count       = notice_count + d_notices + coalesce((SELECT sum(notices) FROM folded), 0),
          subscription_count = subscription_count + d_subscriptions + coalesce((SELECT sum(subscriptions) FROM folded), 0),
          subscriber_count   = subscriber_count + d_subscribers + coalesce((SELECT sum(subscribers) FROM folded), 0)
        WHERE id = target;
      ELSIF EXISTS (SELECT 1 FROM profiles WHERE id = target) THEN
        INSERT INTO profile_count_deltas (profile_id, notices, subscriptions, subscribers) VALUES (target, d_notices, d_subscriptions, d_subscribers);
      END IF;
    END $$;

    CREATE OR REPLACE FUNCTION count_notices() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END; r record;
    BEGIN
      -- In id order, so that two statements touching the same profiles never wait on each other in a circle.
      FOR r IN SELECT profile_id, count(*)::integer AS n FROM changed GROUP BY profile_id ORDER BY profile_id LOOP
        PERFORM add_profile_counts(r.profile_id, sign * r.n, 0, 0);
      END LOOP;
      RETURN NULL;
    END $$;

    CREATE OR REPLACE FUNCTION count_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END; r record;
    BEGIN
      FOR r IN
        SELECT id, sum(s)::integer AS s, sum(f)::integer AS f FROM (
          SELECT subscriber_id AS id, 1 AS s, 0 AS f FROM changed
          UNION ALL
          SELECT subscribed_id AS id, 0 AS s, 1 AS f FROM changed
        ) c GROUP BY id ORDER BY id
      LOOP
        PERFORM add_profile_counts(r.id, 0, sign * r.s, sign * r.f);
      END LOOP;
      RETURN NULL;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE profiles p SET
      notice_count = p.notice_count + d.notices, subscription_count = p.subscription_count + d.subscriptions, subscriber_count = p.subscriber_count + d.subscribers
    FROM (SELECT profile_id, sum(notices) AS notices, sum(subscriptions) AS subscriptions, sum(subscribers) AS subscribers FROM profile_count_deltas GROUP BY profile_id) d
    WHERE p.id = d.profile_id;

    CREATE OR REPLACE FUNCTION count_notices() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        UPDATE profiles p SET notice_count = p.notice_count + d.n
        FROM (SELECT profile_id, count(*) AS n FROM changed GROUP BY profile_id) d WHERE p.id = d.profile_id;
      ELSE
        UPDATE profiles p SET notice_count = p.notice_count - d.n
        FROM (SELECT profile_id, count(*) AS n FROM changed GROUP BY profile_id) d WHERE p.id = d.profile_id;
      END IF;
      RETURN NULL;
    END $$;

    CREATE OR REPLACE FUNCTION count_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
    BEGIN
      UPDATE profiles p SET subscription_count = p.subscription_count + sign * d.n
      FROM (SELECT subscriber_id, count(*) AS n FROM changed GROUP BY subscriber_id) d WHERE p.id = d.subscriber_id;
      UPDATE profiles p SET subscriber_count = p.subscriber_count + sign * d.n
      FROM (SELECT subscribed_id, count(*) AS n FROM changed GROUP BY subscribed_id) d WHERE p.id = d.subscribed_id;
      RETURN NULL;
    END $$;

    DROP FUNCTION add_profile_counts(bigint, integer, integer, integer);
    DROP TABLE profile_count_deltas;
  `);
}
