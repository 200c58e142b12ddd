// Parses wrk's (4.x) `--latency` report. wrk's percentiles come from its own HdrHistogram of
// every request, so they are taken as printed; closed-loop, so they understate the tail (the
// constant-rate mode exists for latency claims).
import { BenchToolError } from './errors.js';

export interface WrkResult {
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  readonly errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "639.00us", "1.08ms", "2.00s" -> milliseconds. */
export function parseWrkDuration(s: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(s.trim());
  if (!m) throw new BenchToolError(`wrk: unparseable duration "${s}"`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

export function parseWrk(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const total = /^\s*(\d+) requests in /m.exec(text);
  const p50 = /^\s*50(?:\.0+)?%\s+(\S+)/m.exec(text);
  const p99 = /^\s*99(?:\.0+)?%\s+(\S+)/m.exec(text);
  if (!rps || !total || !p50 || !p99) {
    throw new BenchToolError(`wrk: output lacks Requests/sec or the latency distribution (ran with --latency?):\n${text.slice(0, 800)}`);
  }
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (sock) errors += Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  if (non2xx) errors += Number(non2xx[1]);
  return {
    requests: Number(total[1]),
    requestsPerSec: Number(rps[1]),
    p50Ms: parseWrkDuration(p50[1] as string),
    p99Ms: parseWrkDuration(p99[1] as string),
    errors,
  };
}
