// Durations as people type them ("500ms", "10s", "1m", "24h", "7d") — for flags such as
// `viz stat -t 1m` and `up --scrape-interval 5s` — parsed once at the edge into milliseconds,
// and written back in Prometheus' notation for queries.
import { WeftError } from './errors.js';

export class InvalidDurationError extends WeftError {
  constructor(readonly input: string, what: string) {
    super('WEFT_ERR_INVALID_DURATION', `${what}: invalid duration "${input}" (use e.g. 30s, 1m, 10m, 1h)`);
  }
}

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "10s" -> 10000; a bare number is seconds. `what` names the flag in the error. */
export function parseDuration(s: string, what = 'duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw new InvalidDurationError(s, what);
  const ms = Number(m[1]) * UNITS[(m[2] ?? 's') as keyof typeof UNITS];
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidDurationError(s, what);
  return ms;
}

/** Milliseconds as a PromQL range ("90s", "10m", "1500ms"). */
export function promDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
