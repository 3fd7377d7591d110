// Nicknames of deleted local accounts: kept so that nobody takes them over.
import type { Knex } from 'knex';

/** Reserves a deleted account's nickname for good. */
export async function insertDeletedAccount(db: Knex, nickname: string, profileId: number): Promise<void> {
  await db('deleted_accounts').insert({ nickname, profile_id: profileId }).onConflict('nickname').ignore();
}

/** The former profile id of a deleted account with this nickname, or undefined. */
export async function getDeletedAccountId(db: Knex, nickname: string): Promise<number | undefined> {
  const row = (await db('deleted_accounts').where({ nickname }).first('profile_id')) as { profile_id: number } | undefined;
  return row === undefined ? undefined : Number(row.profile_id);
}
