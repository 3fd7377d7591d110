// How long deliveries to other servers keep being retried, whatever the protocol: at least 48 hours,
// with pg-boss's exponential backoff capped at an hour between attempts (design.md, rule 7).

/** Deliveries keep being retried for at least this long. */
export const DELIVERY_RETRY_WINDOW_SECONDS = 48 * 3600;
/** The longest wait between two attempts of one delivery. */
export const DELIVERY_MAX_DELAY_SECONDS = 3600;

/** How many retries pg-boss's backoff needs so that even its shortest delays add up to `windowSeconds`. */
export function retriesCovering(baseSeconds: number, maxDelaySeconds = DELIVERY_MAX_DELAY_SECONDS, windowSeconds = DELIVERY_RETRY_WINDOW_SECONDS): number {
  // With backoff, retry n waits between base·2^n and base·2^(n+1) seconds (jitter), capped.
  let total = 0;
  let retries = 0;
  while (total < windowSeconds) {
    total += Math.min(maxDelaySeconds, baseSeconds * 2 ** Math.min(16, retries));
    retries++;
  }
  return retries;
}
