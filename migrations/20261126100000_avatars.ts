// Avatars: each profile may have a stored picture, named by a random key (files <key>-<size>.png
// under DATA_DIR/avatars). A new key per picture makes avatar URLs change with the picture.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE profiles ADD COLUMN avatar_key text CHECK (avatar_key ~ '^[0-9a-f]{32}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE profiles DROP COLUMN avatar_key');
}
