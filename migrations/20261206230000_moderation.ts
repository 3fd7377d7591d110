// Moderation: moderator role, silenced and suspended people, approval of sign-ups, invites,
// reports, an audit log of moderators' actions, and the per-person and per-address action counts
// that rate limits read (kept with the sign-in counters in login_attempts).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users ADD COLUMN is_moderator boolean NOT NULL DEFAULT false;
    -- Sign-ups waiting for an admin (approval mode): the person cannot sign in until approved_at is set.
    ALTER TABLE users ADD COLUMN approved_at timestamptz DEFAULT now();
    ALTER TABLE users ADD COLUMN signup_reason text;
    CREATE INDEX users_pending ON users (created_at) WHERE approved_at IS NULL;
    CREATE INDEX users_created ON users (created_at, id);

    -- Silenced: kept off public pages; suspended: cannot sign in, pages gone, deliveries stop.
    ALTER TABLE profiles ADD COLUMN silenced_at timestamptz;
    ALTER TABLE profiles ADD COLUMN suspended_at timestamptz;

    CREATE TABLE invites (
      id         bigserial PRIMARY KEY,
      code       text NOT NULL UNIQUE,
      created_by bigint REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_by    bigint REFERENCES users (id) ON DELETE SET NULL,
      used_at    timestamptz
    );
    CREATE INDEX invites_by_creator ON invites (created_by, id);

    CREATE TABLE reports (
      id          bigserial PRIMARY KEY,
      reporter_id bigint REFERENCES profiles (id) ON DELETE SET NULL,
      target_id   bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
      notice_id   bigint REFERENCES notices (id) ON DELETE SET NULL,
      reason      text NOT NULL,
      comment     text NOT NULL DEFAULT '',
      created_at  timestamptz NOT NULL DEFAULT now(),
      closed_at   timestamptz,
      closed_by   bigint REFERENCES users (id) ON DELETE SET NULL,
      action      text
    );
    CREATE INDEX reports_open ON reports (id) WHERE closed_at IS NULL;

    -- Names are copied, so the log still reads right after an account is deleted.
    CREATE TABLE moderation_log (
      id           bigserial PRIMARY KEY,
      actor_id     bigint REFERENCES users (id) ON DELETE SET NULL,
      actor_name   text NOT NULL,
      action       text NOT NULL,
      target_id    bigint REFERENCES profiles (id) ON DELETE SET NULL,
      target_name  text,
      notice_id    bigint,
      note         text NOT NULL DEFAULT '',
      created_at   timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE moderation_log, reports, invites;
    ALTER TABLE profiles DROP COLUMN silenced_at, DROP COLUMN suspended_at;
    DROP INDEX users_pending; DROP INDEX users_created;
    ALTER TABLE users DROP COLUMN is_moderator, DROP COLUMN approved_at, DROP COLUMN signup_reason;
  `);
}
