// What moderation hides from everyone: a suspended person's pages and notices answer 410 Gone.
import { GoneError } from '../errors.ts';

/** Throws 410 when the profile is suspended. */
export function checkNotSuspended(profile: { suspendedAt: Date | null }): void {
  if (profile.suspendedAt) throw new GoneError('This account has been suspended.');
}
