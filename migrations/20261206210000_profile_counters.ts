// Profile header counts kept in columns: notices written, subscriptions and subscribers. Counting
// rows on every profile view grew with the profile (a popular user's page counted tens of thousands
// of index entries each time); triggers keep the columns right whatever path writes the rows, and
// count a whole statement's rows at once (a deleted account's notices are one update, not many).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE profiles
      ADD COLUMN notice_count       integer NOT NULL DEFAULT 0,
      ADD COLUMN subscription_count integer NOT NULL DEFAULT 0,
      ADD COLUMN subscriber_count   integer NOT NULL DEFAULT 0;

    UPDATE profiles p SET
      notice_count       = (SELECT count(*) FROM notices WHERE profile_id = p.id),
      subscription_count = (SELECT count(*) FROM subscriptions WHERE subscriber_id = p.id),
      subscriber_count   = (SELECT count(*) FROM subscriptions WHERE subscribed_id = p.id);

    CREATE FUNCTION count_notices() RETURNS trigger LANGUAGE plpgsql AS $$
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
    CREATE TRIGGER notices_counted_on_insert AFTER INSERT ON notices REFERENCING NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION count_notices();
    CREATE TRIGGER notices_counted_on_delete AFTER DELETE ON notices REFERENCING OLD TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION count_notices();

    CREATE FUNCTION count_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
    BEGIN
      UPDATE profiles p SET subscription_count = p.subscription_count + sign * d.n
      FROM (SELECT subscriber_id, count(*) AS n FROM changed GROUP BY subscriber_id) d WHERE p.id = d.subscriber_id;
      UPDATE profiles p SET subscriber_count = p.subscriber_count + sign * d.n
      FROM (SELECT subscribed_id, count(*) AS n FROM changed GROUP BY subscribed_id) d WHERE p.id = d.subscribed_id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER subscriptions_counted_on_insert AFTER INSERT ON subscriptions REFERENCING NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION count_subscriptions();
    CREATE TRIGGER subscriptions_counted_on_delete AFTER DELETE ON subscriptions REFERENCING OLD TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION count_subscriptions();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER subscriptions_counted_on_delete ON subscriptions;
    DROP TRIGGER subscriptions_counted_on_insert ON subscriptions;
    DROP FUNCTION count_subscriptions();
    DROP TRIGGER notices_counted_on_delete ON notices;
    DROP TRIGGER notices_counted_on_insert ON notices;
    DROP FUNCTION count_notices();
    ALTER TABLE profiles DROP COLUMN notice_count, DROP COLUMN subscription_count, DROP COLUMN subscriber_count;
  `);
}
