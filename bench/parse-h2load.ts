// Parses h2load (nghttp2 1.5x). Its summary prints only min/max/mean/sd of request time, so the
// percentiles come from `--log-file` (one line per request: start µs since epoch, status,
// µs until the end of the response), which covers every request of the measured period.
import { BenchToolError } from './errors.js';
import { summarize, type LatencySummary } from './stats.js';

export interface H2loadSummary {
  readonly requestsPerSec: number;
  readonly done: number;
  readonly succeeded: number;
  /** Requests h2load counts as failed (errored, timed out, or a 4xx/5xx status). */
  readonly errors: number;
}

export function parseH2loadSummary(text: string): H2loadSummary {
  const fin = /^finished in [\d.]+\w*, ([\d.]+) req\/s/m.exec(text);
  const req = /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(text);
  const codes = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(text);
  if (!fin || !req || !codes) throw new BenchToolError(`h2load: unexpected output:\n${text.slice(-800)}`);
  return {
    requestsPerSec: Number(fin[1]),
    done: Number(req[3]),
    succeeded: Number(req[4]),
    // "failed" already counts errored and timed-out requests and non-2xx/3xx responses.
    errors: Number(req[5]),
  };
}

export interface H2loadLog extends LatencySummary {
  /** Lines whose status was not 2xx (h2load logs failed requests with status -1). */
  readonly non2xx: number;
}

export function parseH2loadLog(text: string): H2loadLog {
  const lines = text.split('\n');
  const samples = new Float64Array(lines.length);
  let n = 0;
  let non2xx = 0;
  for (const line of lines) {
    if (line === '') continue;
    const cols = line.split('\t');
    const status = Number(cols[1]);
    const us = Number(cols[2]);
    if (cols.length !== 3 || !Number.isFinite(us)) throw new BenchToolError(`h2load log: bad line "${line}"`);
    if (status < 200 || status > 299) {
      non2xx++;
      continue;
    }
    samples[n++] = us / 1000;
  }
  return { ...summarize(samples.subarray(0, n)), non2xx };
}
