// Percentiles over raw samples. Samples are kept whole (a 10 s run is at most a few hundred
// thousand numbers), so percentiles are exact rather than bucketed.

/** Nearest-rank percentile (p in 0..100) of an ascending-sorted array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/** Sorts `samplesMs` in place and summarizes it. */
export function summarize(samplesMs: Float64Array): LatencySummary {
  samplesMs.sort();
  return {
    count: samplesMs.length,
    p50Ms: percentile(samplesMs, 50),
    p99Ms: percentile(samplesMs, 99),
    p999Ms: percentile(samplesMs, 99.9),
    maxMs: samplesMs.length ? (samplesMs[samplesMs.length - 1] as number) : NaN,
  };
}
