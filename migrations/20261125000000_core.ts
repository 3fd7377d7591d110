// Core schema: profiles (local and remote), local users, notices, tags, mentions,
// subscriptions, per-user home timelines and web sessions.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE profiles (
      id          bigserial PRIMARY KEY,
      nickname    text NOT NULL,
      fullname    text,
      bio         text,
      location    text,
      homepage    text,
      is_local    boolean NOT NULL,
      uri         text,          -- identifier URI of a remote profile; local ones derive it
      profile_url text,          -- profile page of a remote profile
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX profiles_local_nickname ON profiles (nickname) WHERE is_local;
    CREATE UNIQUE INDEX profiles_uri ON profiles (uri) WHERE uri IS NOT NULL;

    CREATE TABLE users (
      id            bigint PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
      password_hash text NOT NULL,
      email         text,
      is_admin      boolean NOT NULL DEFAULT false,
      created_at    timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE notices (
      id              bigserial PRIMARY KEY,
      profile_id      bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      content         text NOT NULL,
      rendered        text NOT NULL,   -- HTML made once when the notice is saved
      is_local        boolean NOT NULL,
      uri             text,            -- notice URI of a remote notice; local ones derive it
      url             text,            -- page of a remote notice on its own server
      in_reply_to     bigint REFERENCES notices (id) ON DELETE SET NULL,
      conversation_id bigint NOT NULL, -- id of the thread's first notice (kept if it is deleted)
      source          text NOT NULL DEFAULT 'web',
      created_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notices_public ON notices (id) WHERE is_local;
    CREATE INDEX notices_by_profile ON notices (profile_id, id);
    CREATE INDEX notices_by_conversation ON notices (conversation_id, id);
    CREATE INDEX notices_in_reply_to ON notices (in_reply_to) WHERE in_reply_to IS NOT NULL;
    CREATE UNIQUE INDEX notices_uri ON notices (uri) WHERE uri IS NOT NULL;

    CREATE TABLE notice_tags (
      tag       text NOT NULL,
      notice_id bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
      PRIMARY KEY (tag, notice_id)
    );
    CREATE INDEX notice_tags_notice ON notice_tags (notice_id);

    CREATE TABLE mentions (
      profile_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      notice_id  bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
      PRIMARY KEY (profile_id, notice_id)
    );
    CREATE INDEX mentions_notice ON mentions (notice_id);

    CREATE TABLE subscriptions (
      subscriber_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      subscribed_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      created_at    timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscriber_id, subscribed_id),
      CHECK (subscriber_id <> subscribed_id)
    );
    CREATE INDEX subscriptions_subscribed ON subscriptions (subscribed_id, subscriber_id);

    -- Fan-out on write: one row per notice a user should see on their home timeline.
    CREATE TABLE home_timeline_entries (
      user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      notice_id bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, notice_id)
    );
    CREATE INDEX home_timeline_entries_notice ON home_timeline_entries (notice_id);

    -- connect-pg-simple's session table.
    CREATE TABLE sessions (
      sid    varchar NOT NULL PRIMARY KEY,
      sess   json NOT NULL,
      expire timestamp(6) NOT NULL
    );
    CREATE INDEX sessions_expire ON sessions (expire);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE sessions, home_timeline_entries, subscriptions, mentions, notice_tags, notices, users, profiles;
  `);
}
