// Key pairs of local actors: RSA (draft-cavage HTTP signatures, what most servers check) and
// Ed25519 (object integrity proofs), made on first use and stored in Postgres.
import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import type { Db } from '../../domain/context.ts';
import { getKeyPairs, insertKeyPairs } from '../../db/ap-keys.ts';
import type { KeyAlgorithm, StoredKeyPair } from '../../db/ap-keys.ts';

/** The owner name of the site's own actor's keys. */
export const INSTANCE_KEY_OWNER = 'instance';

/** The owner name of a local user's keys. */
export function userKeyOwner(userId: number): string {
  return `user:${userId}`;
}

const ALGORITHMS: Record<KeyAlgorithm, 'RSASSA-PKCS1-v1_5' | 'Ed25519'> = { rsa: 'RSASSA-PKCS1-v1_5', ed25519: 'Ed25519' };

async function generate(algorithm: KeyAlgorithm): Promise<StoredKeyPair> {
  const pair = await generateCryptoKeyPair(ALGORITHMS[algorithm]);
  return { algorithm, publicJwk: await exportJwk(pair.publicKey), privateJwk: await exportJwk(pair.privateKey) };
}

async function load(db: Db, owner: string): Promise<CryptoKeyPair[]> {
  let stored = await getKeyPairs(db, owner);
  const missing = (Object.keys(ALGORITHMS) as KeyAlgorithm[]).filter((algorithm) => !stored.some((pair) => pair.algorithm === algorithm));
  if (missing.length > 0) {
    await insertKeyPairs(db, owner, await Promise.all(missing.map(generate)));
    stored = await getKeyPairs(db, owner); // another process may have won the race: use its keys
  }
  return Promise.all(stored.map(async (pair) => ({ publicKey: await importJwk(pair.publicJwk, 'public'), privateKey: await importJwk(pair.privateJwk, 'private') })));
}

// Keys never change once stored, so each process imports them once.
const cache = new WeakMap<object, Map<string, Promise<CryptoKeyPair[]>>>();

/** The owner's key pairs (RSA first), generated and stored the first time they are needed. */
export function keyPairsOf(db: Db, owner: string): Promise<CryptoKeyPair[]> {
  let byOwner = cache.get(db);
  if (!byOwner) cache.set(db, (byOwner = new Map()));
  let pairs = byOwner.get(owner);
  if (!pairs) {
    pairs = load(db, owner);
    byOwner.set(owner, pairs);
    pairs.catch(() => byOwner.delete(owner)); // a failed load is tried again next time
  }
  return pairs;
}
