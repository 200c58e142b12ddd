// Markdown tables for the terminal and bench/RESULTS.md. Every speed figure is also given as a
// ratio to the direct path and to nginx from the same run, since absolute numbers move with the
// machine and its load.

export interface ThroughputRow {
  readonly target: string;
  readonly requestsPerSec?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly errors?: number;
  /** RSS of the target's processes (summed), after start and the peak sampled under load. */
  readonly rssIdleMb?: number;
  readonly rssLoadMb?: number;
  /** CPU time of the target's processes per request during the measured run. */
  readonly cpuUsPerRequest?: number;
  /** Why the row has no figures (unavailable, failed). */
  readonly note?: string;
}

export interface RateRow {
  readonly target: string;
  readonly achievedRps?: number;
  /** Peak RSS of the target's processes (summed) during the constant-rate run. */
  readonly rssMb?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly errors?: number;
  readonly note?: string;
}

const DASH = '–';

function fixed(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? DASH : n.toFixed(digits);
}

function ratio(n: number | undefined, base: number | undefined): string {
  if (n === undefined || base === undefined || !(base > 0)) return DASH;
  return `${(n / base).toFixed(2)}×`;
}

function signedMs(n: number | undefined, base: number | undefined): string {
  if (n === undefined || base === undefined || !Number.isFinite(n) || !Number.isFinite(base)) return DASH;
  const d = n - base;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;
}

function rss(idle: number | undefined, load: number | undefined): string {
  if (idle === undefined && load === undefined) return DASH;
  return `${fixed(idle, 1)} / ${fixed(load, 1)}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function notes(rows: readonly { target: string; note?: string; errors?: number }[]): string {
  const out: string[] = [];
  for (const r of rows) {
    if (r.note) out.push(`- ${r.target}: ${r.note}`);
    if (r.errors) out.push(`- ${r.target}: ${r.errors} failed requests (errors or non-2xx)`);
  }
  return out.length ? `\n\n${out.join('\n')}` : '';
}

export function formatThroughputTable(title: string, rows: readonly ThroughputRow[]): string {
  const direct = rows.find((r) => r.target === 'direct')?.requestsPerSec;
  const nginxRow = rows.find((r) => r.target === 'nginx');
  const nginx = nginxRow?.requestsPerSec;
  const body = rows.map((r) => [
    r.target,
    fixed(r.requestsPerSec, 0),
    fixed(r.p50Ms, 3),
    fixed(r.p99Ms, 3),
    ratio(r.requestsPerSec, direct),
    ratio(r.requestsPerSec, nginx),
    fixed(r.cpuUsPerRequest, 1),
    // nginx's CPU per request over the target's: the throughput ratio one core each would give.
    ratio(nginxRow?.cpuUsPerRequest, r.cpuUsPerRequest),
    rss(r.rssIdleMb, r.rssLoadMb),
  ]);
  const header = ['target', 'req/s', 'p50 ms', 'p99 ms', '× direct', '× nginx', 'CPU µs/req', 'nginx CPU ÷ this', 'RSS idle / load MB'];
  return `#### ${title}\n\n${table(header, body)}${notes(rows)}`;
}

export function formatRateTable(title: string, rows: readonly RateRow[]): string {
  const direct = rows.find((r) => r.target === 'direct');
  const body = rows.map((r) => [
    r.target,
    fixed(r.achievedRps, 0),
    fixed(r.p50Ms, 3),
    fixed(r.p99Ms, 3),
    signedMs(r.p50Ms, direct?.p50Ms),
    signedMs(r.p99Ms, direct?.p99Ms),
    fixed(r.rssMb, 1),
  ]);
  const header = ['target', 'req/s done', 'p50 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'RSS MB'];
  return `#### ${title}\n\n${table(header, body)}${notes(rows)}`;
}

export interface StartupRow {
  readonly runtime: string;
  readonly version: string;
  readonly readyMs?: number;
  readonly minMs?: number;
  readonly maxMs?: number;
  readonly rssIdleMb?: number;
  readonly note?: string;
}

export function formatStartupTable(title: string, rows: readonly StartupRow[]): string {
  const body = rows.map((r) => [r.runtime, r.version, fixed(r.readyMs, 0), `${fixed(r.minMs, 0)}–${fixed(r.maxMs, 0)}`, fixed(r.rssIdleMb, 1)]);
  const header = ['runtime', 'version', 'start → /ready ms (median)', 'range ms', 'idle RSS MB'];
  return `#### ${title}\n\n${table(header, body)}${notes(rows.map((r) => ({ target: r.runtime, ...(r.note ? { note: r.note } : {}) })))}`;
}
