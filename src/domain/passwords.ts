// Password rules and hashing (bcrypt, which reads at most 72 bytes: longer passwords are refused).
import bcrypt from 'bcrypt';

const MIN_BYTES = 8;
const MAX_BYTES = 72;

/** Why this password is not acceptable, or undefined when it is. */
export function passwordProblem(password: string): string | undefined {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (password.includes('\0')) return 'Passwords cannot contain NUL characters.';
  if (bytes < MIN_BYTES) return `Passwords must be at least ${MIN_BYTES} characters long.`;
  if (bytes > MAX_BYTES) return `Passwords can be at most ${MAX_BYTES} bytes long.`;
  return undefined;
}

/** Hashes a password with the configured bcrypt cost. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

/** Compares a password with a stored hash. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

// Compared against when the account does not exist, so that an unknown nickname takes as long
// as a wrong password and the answers cannot be told apart by timing.
const dummyHashes = new Map<number, Promise<string>>();

/** Spends the same time as a real check, for an account that does not exist. */
export async function verifyAgainstNothing(password: string, cost: number): Promise<false> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = bcrypt.hash('not a real password', cost);
    dummyHashes.set(cost, hash);
  }
  await bcrypt.compare(password, await hash);
  return false;
}
