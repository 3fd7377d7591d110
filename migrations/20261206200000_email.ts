// Email: confirmed and pending addresses, notification switches, and the single-use tokens of
// confirmation and password-recovery links (only their SHA-256 hashes are stored).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users
      ADD COLUMN pending_email     text,
      ADD COLUMN notify_subscriber boolean NOT NULL DEFAULT true,
      ADD COLUMN notify_mention    boolean NOT NULL DEFAULT true;
    -- Addresses given at registration so far were never confirmed: they wait for confirmation now.
    UPDATE users SET pending_email = email, email = NULL WHERE email IS NOT NULL;
    -- users.email is the confirmed address: one account per address, so recovery by address is unambiguous.
    CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;

    CREATE TABLE email_tokens (
      token_hash bytea PRIMARY KEY,
      user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      purpose    text NOT NULL CHECK (purpose IN ('confirm', 'recover')),
      address    text,          -- the address a confirmation token confirms
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
    CREATE INDEX email_tokens_expires_at ON email_tokens (expires_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE email_tokens;
    DROP INDEX users_email;
    UPDATE users SET email = coalesce(email, pending_email);
    ALTER TABLE users DROP COLUMN pending_email, DROP COLUMN notify_subscriber, DROP COLUMN notify_mention;
  `);
}
