// Hosts that deliveries keep failing to reach, whatever the protocol. A host that has failed for
// longer than the retry window (days, by then) is not attempted: its deliveries are kept as dead
// deliveries waiting for it, so a host that is gone costs no worker time. One attempt an hour
// still goes through; the host's first answer ends its streak, and what waited goes out, in order.
import type { DomainContext } from '../domain/context.ts';
import { blockKeysOf } from '../domain/domain-blocks.ts';
import { claimHostAttempt, clearHostStreak, recordHostFailure } from '../db/delivery-hosts.ts';
import type { HostStreak } from '../db/delivery-hosts.ts';
import { readDeliveryGate } from '../db/delivery-gates.ts';
import type { GateTarget } from '../db/delivery-gates.ts';
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

/** Where a delivery to this URL goes, as its gate reads it: the host and the keys a block of its server would have. */
export function gateTarget(url: string): GateTarget {
  return { host: hostOf(url), blockKeys: blockKeysOf(url) };
}

/** Whether a delivery to this URL is attempted now, given the streak its host was read with: no while the host has failed for days, but for one attempt an hour. */
export async function hostGateFor(ctx: DomainContext, url: string, streak: HostStreak | undefined): Promise<HostGate> {
  const host = hostOf(url);
  if (!host || !streak || Date.now() - streak.failingSince.getTime() < HOST_DOWN_AFTER_SECONDS * 1000) return { attempt: true };
  if (await claimHostAttempt(ctx.db, host, HOST_PROBE_SECONDS)) return { attempt: true };
  const reason = `not attempted: ${host} has failed since ${streak.failingSince.toISOString()} (${streak.failures} failures, the last: ${streak.lastError}); it is tried hourly, and this goes out when it answers`;
  return { attempt: false, host, reason };
}

/** What one delivery reports about its host: answers and failures. */
export type HostHealth = { answered(): Promise<number>; failed(error: string): Promise<void> };

/**
 * The reporter of one delivery, from whether its gate saw the host in a streak of failures. An
 * answer ends a streak only where there is one: most hosts answer, and a DELETE that finds no
 * row still costs a round trip. A failure recorded meanwhile by another delivery to the host is
 * cleared by the next delivery that reads it (a streak only counts after days of failures).
 */
export function hostHealth(ctx: DomainContext, url: string, failing: boolean): HostHealth {
  return {
    async answered() {
      if (!failing) return 0;
      failing = false;
      return hostAnswered(ctx, url);
    },
    async failed(error) {
      failing = true;
      await hostFailed(ctx, url, error);
    },
  };
}

/** What a delivery that reads nothing else first checks, in one query: whether its server is suspended here, whether to attempt it now, and its host's reporter. */
export async function deliveryGate(ctx: DomainContext, url: string): Promise<{ suspended: boolean; gate: HostGate; health: HostHealth }> {
  const read = await readDeliveryGate(ctx.db, gateTarget(url));
  const gate: HostGate = read.suspended ? { attempt: true } : await hostGateFor(ctx, url, read.streak); // nothing goes to a suspended server anyway
  return { suspended: read.suspended, gate, health: hostHealth(ctx, url, read.streak !== undefined) };
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
