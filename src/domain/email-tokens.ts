// Single-use tokens for links sent by email: 32 random bytes in the link, only their SHA-256 in the
// database (a copy of the table opens no account), each with an expiry.
import { createHash, randomBytes } from 'node:crypto';
import { HttpError } from '../errors.ts';
import { findEmailToken, insertEmailToken, takeEmailToken } from '../db/email.ts';
import type { EmailTokenPurpose, EmailTokenRecord } from '../db/email.ts';
import type { Db } from './context.ts';

export type { EmailTokenPurpose, EmailTokenRecord };

/** How long a link stays valid, by purpose. */
export const TOKEN_LIFETIME_SECONDS: Readonly<Record<EmailTokenPurpose, number>> = { confirm: 48 * 3600, recover: 3600 };

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes

/** 410: a link whose token was used already, has expired, or never existed. */
export class LinkGoneError extends HttpError {
  constructor(message: string) {
    super(410, message, 'This link no longer works');
  }
}

function hashOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Creates a token for a user and stores its hash; returns the token itself, for the link only. */
export async function issueEmailToken(db: Db, userId: number, purpose: EmailTokenPurpose, address: string | null = null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await insertEmailToken(db, { hash: hashOf(token), userId, purpose, address, lifetimeSeconds: TOKEN_LIFETIME_SECONDS[purpose] });
  return token;
}

/** The valid token's record without using it up, or undefined. */
export async function peekEmailToken(db: Db, token: string, purpose: EmailTokenPurpose): Promise<EmailTokenRecord | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  return findEmailToken(db, hashOf(token), purpose);
}

/** Uses the token up and returns its record, or undefined when it is not (or no longer) valid. */
export async function takeToken(db: Db, token: string, purpose: EmailTokenPurpose): Promise<EmailTokenRecord | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  return takeEmailToken(db, hashOf(token), purpose);
}
