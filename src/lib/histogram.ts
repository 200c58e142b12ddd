// Quantiles of a cumulative histogram (Prometheus' `le` buckets), computed as Prometheus'
// histogram_quantile computes them: for `viz stat`'s direct scrapes, and for the metrics API
// where buckets are regrouped after the query (by destination, or a Service's [DEFAULT] route).

/**
 * The q-quantile of a cumulative histogram, interpolating linearly inside the bucket as
 * Prometheus' histogram_quantile does (the +Inf bucket answers with the highest finite bound).
 */
export function histogramQuantile(q: number, cumulative: ReadonlyMap<number, number>): number | undefined {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Infinity) ?? cumulative.get(bounds[bounds.length - 1] as number) ?? 0;
  if (total <= 0 || bounds.length === 0) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const b of bounds) {
    const c = cumulative.get(b) as number;
    if (c >= rank) {
      if (b === Infinity) return prevBound;
      if (c === prevCount) return b;
      return prevBound + ((b - prevBound) * (rank - prevCount)) / (c - prevCount);
    }
    prevBound = b;
    prevCount = c;
  }
  return prevBound;
}

