// OpenMicroBlogging 0.1: OAuth nonces and tokens, remote subscription credentials, pending
// remote subscriptions, remote avatars, and deliveries that failed for good.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE profiles ADD COLUMN avatar_url text; -- remote profiles: their 96px avatar on their server

    -- Nonces seen from each consumer, kept for the timestamp window and then purged.
    CREATE TABLE oauth_nonces (
      consumer_key text NOT NULL,
      nonce        text NOT NULL,
      ts           bigint NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_key, nonce, ts)
    );
    CREATE INDEX oauth_nonces_created ON oauth_nonces (created_at);

    -- Consumers are self-asserted root URLs, recorded on first use.
    CREATE TABLE omb_consumers (
      consumer_key text PRIMARY KEY,
      first_seen   timestamptz NOT NULL DEFAULT now()
    );

    -- Request tokens we issued (we are the listener's server).
    CREATE TABLE omb_request_tokens (
      token        text PRIMARY KEY,
      secret       text NOT NULL,
      consumer_key text NOT NULL REFERENCES omb_consumers (consumer_key),
      listener_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      listenee_id  bigint REFERENCES profiles (id) ON DELETE CASCADE, -- set when the user accepts
      state        text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'authorized', 'used', 'revoked')),
      created_at   timestamptz NOT NULL DEFAULT now()
    );

    -- Access tokens we issued: each one is the subscription of one local listener to one remote
    -- listenee, and goes when the subscription goes (unsubscribing revokes it).
    CREATE TABLE omb_access_tokens (
      token         text PRIMARY KEY,
      secret        text NOT NULL,
      consumer_key  text NOT NULL REFERENCES omb_consumers (consumer_key),
      subscriber_id bigint NOT NULL,
      subscribed_id bigint NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      UNIQUE (subscriber_id, subscribed_id),
      FOREIGN KEY (subscriber_id, subscribed_id) REFERENCES subscriptions (subscriber_id, subscribed_id) ON DELETE CASCADE
    );

    -- Remote listeners of local users (we are the listenee's server): the token the listener's
    -- server gave us, and where to push.
    CREATE TABLE omb_remote_listeners (
      subscriber_id     bigint NOT NULL,
      subscribed_id     bigint NOT NULL,
      token             text NOT NULL,
      secret            text NOT NULL,
      postnotice_url    text NOT NULL,
      updateprofile_url text NOT NULL,
      created_at        timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscriber_id, subscribed_id),
      FOREIGN KEY (subscriber_id, subscribed_id) REFERENCES subscriptions (subscriber_id, subscribed_id) ON DELETE CASCADE
    );
    CREATE INDEX omb_remote_listeners_subscribed ON omb_remote_listeners (subscribed_id);

    -- Remote subscriptions in progress, bound to the visitor's browser session.
    CREATE TABLE omb_pending_subscriptions (
      request_token     text PRIMARY KEY,
      request_secret    text NOT NULL,
      session_id        text NOT NULL,
      listenee_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      listener_uri      text NOT NULL,
      request_url       text NOT NULL,
      access_url        text NOT NULL,
      postnotice_url    text NOT NULL,
      updateprofile_url text NOT NULL,
      created_at        timestamptz NOT NULL DEFAULT now()
    );

    -- Deliveries that failed for good (permanent refusal, or retries exhausted), kept for re-queueing.
    CREATE TABLE dead_deliveries (
      id         bigserial PRIMARY KEY,
      job_name   text NOT NULL,
      data       jsonb NOT NULL,
      target     text NOT NULL,
      attempts   integer NOT NULL,
      last_error text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE dead_deliveries, omb_pending_subscriptions, omb_remote_listeners,
      omb_access_tokens, omb_request_tokens, omb_consumers, oauth_nonces;
    ALTER TABLE profiles DROP COLUMN avatar_url;
  `);
}
