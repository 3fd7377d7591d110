// Hosts that deliveries keep failing to reach, whatever the protocol. A host that has failed for
// longer than the retry window (days, by then) is not attempted: its deliveries are kept as dead
// deliveries waiting for it, so a host that is gone costs no worker time. One attempt an hour
// still goes through; the host's first answer ends its streak, and what waited goes out, in order.
import type { DomainContext } from '../domain/context.ts';
import { claimHostAttempt, clearHostStreak, getHostStreak, recordHostFailure } from '../db/delivery-hosts.ts';
import { requeueWaitingFor } from './dead-letters.ts';
import { DELIVERY_MAX_DELAY_SECONDS, DELIVERY_RETRY_WINDOW_SECONDS } from './delivery-retries.ts';

/** A host failing for this long is attempted only once an hour. */
export const HOST_DOWN_AFTER_SECONDS = DELIVERY_RETRY_WINDOW_SECONDS;
/** How often a host that is down is tried all the same. */
export const HOST_PROBE_SECONDS = DELIVERY_MAX_DELAY_SECONDS;

/** Whether to attempt a delivery now, or why not (its host has been down for days). */
export type HostGate = { attempt: true } | { attempt: false; host: string; reason: string };

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether a delivery to this URL is attempted now: no while its host has failed for days, but for one attempt an hour. */
export async function hostGate(ctx: DomainContext, url: string): Promise<HostGate> {
  const host = hostOf(url);
  const streak = host === undefined ? undefined : await getHostStreak(ctx.db, host);
  if (!host || !streak || Date.now() - streak.failingSince.getTime() < HOST_DOWN_AFTER_SECONDS * 1000) return { attempt: true };
  if (await claimHostAttempt(ctx.db, host, HOST_PROBE_SECONDS)) return { attempt: true };
  const reason = `not attempted: ${host} has failed since ${streak.failingSince.toISOString()} (${streak.failures} failures, the last: ${streak.lastError}); it is tried hourly, and this goes out when it answers`;
  return { attempt: false, host, reason };
}

/** The host answered (anything but 5xx, 408 or 429): its streak ends and the deliveries that waited for it are queued again; returns how many. */
export async function hostAnswered(ctx: DomainContext, url: string): Promise<number> {
  const host = hostOf(url);
  if (!host || !(await clearHostStreak(ctx.db, host))) return 0;
  return requeueWaitingFor(ctx, host);
}

/** The host could not be reached, or answered 5xx, 408 or 429: one more failure in its streak. */
export async function hostFailed(ctx: DomainContext, url: string, error: string): Promise<void> {
  const host = hostOf(url);
  if (host) await recordHostFailure(ctx.db, host, error);
}
