// ActivityPub: Fedify's key-value store, the key pairs of local actors, what we know of remote
// ActivityPub actors (their profiles live in profiles like every remote person's), and follows
// sent to remote actors.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Fedify's cache and bookkeeping (remote documents, idempotence of inbox activities, ...).
    -- The key is Fedify's key path as a JSON array; an entry past expires_at is gone.
    CREATE TABLE fedify_kv (
      key        text PRIMARY KEY,
      value      jsonb NOT NULL,
      expires_at timestamptz
    );
    CREATE INDEX fedify_kv_expires ON fedify_kv (expires_at) WHERE expires_at IS NOT NULL;

    -- Signing keys of local actors: 'user:<id>' for a person, 'instance' for the site's own actor.
    CREATE TABLE ap_key_pairs (
      owner       text NOT NULL,
      algorithm   text NOT NULL CHECK (algorithm IN ('rsa', 'ed25519')),
      public_jwk  jsonb NOT NULL,
      private_jwk jsonb NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner, algorithm)
    );

    -- Remote profiles that speak ActivityPub: a row here is what marks the protocol.
    CREATE TABLE ap_actors (
      profile_id       bigint PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
      actor_id         text NOT NULL UNIQUE,
      inbox_url        text NOT NULL,
      shared_inbox_url text,
      handle           text,        -- user@host, from WebFinger or the actor's preferredUsername
      updated_at       timestamptz NOT NULL DEFAULT now()
    );

    -- Follows local users sent to remote actors. The subscription exists only once the Accept
    -- arrives; the Follow's id is kept for the Undo that ends it.
    CREATE TABLE ap_follows (
      follower_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      followee_id bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      follow_id   text NOT NULL UNIQUE,
      accepted    boolean NOT NULL DEFAULT false,
      created_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (follower_id, followee_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE ap_follows, ap_actors, ap_key_pairs, fedify_kv');
}
