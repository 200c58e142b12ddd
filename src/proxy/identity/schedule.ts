// When to renew the certificate, and how long to wait after a failed attempt. Pure functions
// of the (injected) clock and randomness, so tests are deterministic.

export const REFRESH_FRACTION = 0.7;
export const DEFAULT_CLOCK_SKEW_MS = 20_000;

/**
 * Milliseconds from `now` until the certificate should be renewed: at 70% of its remaining
 * lifetime, but at least `skewMs` before it expires (a peer's clock may run ahead of ours);
 * never earlier than half of the remaining lifetime, so very short lifetimes do not spin.
 */
export function refreshDelay(notAfterMs: number, nowMs: number, skewMs = DEFAULT_CLOCK_SKEW_MS): number {
  const remaining = notAfterMs - nowMs;
  if (remaining <= 0) return 0;
  return Math.max(remaining * 0.5, Math.min(remaining * REFRESH_FRACTION, remaining - skewMs));
}

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ minMs: 500, maxMs: 60_000 });

/** Exponential backoff with jitter in [50%, 100%] of the step: attempt 0 -> ~minMs. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const step = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(step * (0.5 + random() / 2));
}
