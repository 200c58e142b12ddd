// --repeat: every figure in the tables is the median of the runs of one row (a run that failed
// contributes nothing; a row whose runs all failed keeps the first failure's note).
import type { RateRow, ThroughputRow } from './table.js';

export function median(xs: readonly number[]): number | undefined {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

type Numeric<T> = { [K in keyof T]-?: T[K] extends number | undefined ? K : never }[keyof T];

function medianRow<T extends { target: string; note?: string }>(runs: readonly T[], fields: readonly Numeric<T>[]): T {
  const ok = runs.filter((r) => !r.note);
  const first = runs[0] as T;
  if (ok.length === 0) return first;
  const out: Record<string, unknown> = { target: first.target };
  for (const f of fields) {
    const m = median(ok.map((r) => r[f] as unknown as number).filter((x) => x !== undefined));
    if (m !== undefined) out[f as string] = m;
  }
  if (ok.length < runs.length) out['note'] = `${runs.length - ok.length} of ${runs.length} runs failed: ${runs.find((r) => r.note)?.note ?? ''}`;
  return out as T;
}

export function medianThroughput(runs: readonly ThroughputRow[]): ThroughputRow {
  return medianRow(runs, ['requestsPerSec', 'p50Ms', 'p99Ms', 'errors', 'rssIdleMb', 'rssLoadMb', 'cpuUsPerRequest']);
}

export function medianRate(runs: readonly RateRow[]): RateRow {
  return medianRow(runs, ['achievedRps', 'p50Ms', 'p99Ms', 'errors', 'rssMb']);
}
