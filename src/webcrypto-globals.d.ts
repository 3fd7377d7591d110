// Web Crypto types that Fedify's declarations name as globals (they come from the DOM library,
// which this Node project does not load): the same types as node:crypto's webcrypto.
import type { webcrypto } from 'node:crypto';

declare global {
  type CryptoKey = webcrypto.CryptoKey;
  // Interfaces (not aliases) so that they merge with any other declaration of the same name.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface CryptoKeyPair extends webcrypto.CryptoKeyPair {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface JsonWebKey extends webcrypto.JsonWebKey {}
}
