// Signing key pairs of local ActivityPub actors, stored as JWKs.
import type { Knex } from 'knex';

export type KeyAlgorithm = 'rsa' | 'ed25519';
export type StoredKeyPair = { algorithm: KeyAlgorithm; publicJwk: JsonWebKey; privateJwk: JsonWebKey };

/** The key pairs of one owner ('user:<id>' or 'instance'), RSA first. */
export async function getKeyPairs(db: Knex, owner: string): Promise<StoredKeyPair[]> {
  const rows = await db('ap_key_pairs').where({ owner }).orderBy('algorithm', 'desc').select('algorithm', 'public_jwk', 'private_jwk');
  return rows.map((row) => ({ algorithm: row.algorithm as KeyAlgorithm, publicJwk: row.public_jwk as JsonWebKey, privateJwk: row.private_jwk as JsonWebKey }));
}

/** Stores key pairs unless the owner already has one of that algorithm (two processes may race). */
export async function insertKeyPairs(db: Knex, owner: string, pairs: StoredKeyPair[]): Promise<void> {
  if (pairs.length === 0) return;
  await db('ap_key_pairs')
    .insert(pairs.map((pair) => ({ owner, algorithm: pair.algorithm, public_jwk: JSON.stringify(pair.publicJwk), private_jwk: JSON.stringify(pair.privateJwk) })))
    .onConflict(['owner', 'algorithm'])
    .ignore();
}
