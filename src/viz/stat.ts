// `weft viz stat`, as a pure function of two scrapes of each proxy's /metrics, like
// `linkerd viz stat`: per workload (or namespace) the share of meshed pods, and from the
// *inbound* side of its proxies (what the workload served) the success rate, requests per
// second, latency percentiles and open TCP connections over the window between the scrapes.
import type { Sample } from './prom-text.js';
import { histogramQuantile } from '../lib/histogram.js';

export { histogramQuantile };

export interface WorkloadScrape {
  readonly name: string;
  readonly namespace: string;
  /** false: the workload has no proxy (not meshed). */
  readonly meshed: boolean;
  /** Samples, or undefined when the scrape failed. */
  readonly before: readonly Sample[] | undefined;
  readonly after: readonly Sample[] | undefined;
}

export interface StatRow {
  readonly name: string;
  readonly namespace: string;
  readonly meshedPods: number;
  readonly pods: number;
  /** 0..1; undefined when there were no responses in the window. */
  readonly successRate: number | undefined;
  readonly rps: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly tcpConnections: number;
}

const inbound = (s: Sample): boolean => s.labels['direction'] === 'inbound';

function sum(samples: readonly Sample[] | undefined, name: string, pick: (s: Sample) => boolean = () => true): number {
  let n = 0;
  for (const s of samples ?? []) if (s.name === name && inbound(s) && pick(s)) n += s.value;
  return n;
}

/** le -> cumulative count, summed over label sets. */
function buckets(samples: readonly Sample[] | undefined): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of samples ?? []) {
    if (s.name !== 'response_latency_ms_bucket' || !inbound(s)) continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    m.set(le, (m.get(le) ?? 0) + s.value);
  }
  return m;
}

function delta(after: Map<number, number>, before: Map<number, number>): Map<number, number> {
  const d = new Map<number, number>();
  // A restarted proxy's counters start over: then the window is "since the restart".
  const reset = [...after].some(([le, c]) => c < (before.get(le) ?? 0));
  for (const [le, c] of after) d.set(le, reset ? c : c - (before.get(le) ?? 0));
  return d;
}

function counterDelta(after: number, before: number): number {
  return after >= before ? after - before : after;
}

/** One row per group (the key function picks workload or namespace). */
export function computeStats(scrapes: readonly WorkloadScrape[], windowSeconds: number, by: 'deploy' | 'ns' = 'deploy'): StatRow[] {
  const groups = new Map<string, WorkloadScrape[]>();
  for (const s of scrapes) {
    const k = by === 'ns' ? s.namespace : `${s.namespace}/${s.name}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const rows: StatRow[] = [];
  for (const members of groups.values()) {
    let ok = 0;
    let all = 0;
    let tcp = 0;
    const hist = new Map<number, number>();
    for (const m of members) {
      if (!m.after) continue;
      const success = (s: Sample): boolean => s.labels['classification'] === 'success';
      ok += counterDelta(sum(m.after, 'response_total', success), sum(m.before, 'response_total', success));
      all += counterDelta(sum(m.after, 'response_total'), sum(m.before, 'response_total'));
      tcp += sum(m.after, 'tcp_open_connections');
      for (const [le, c] of delta(buckets(m.after), buckets(m.before))) hist.set(le, (hist.get(le) ?? 0) + c);
    }
    const first = members[0] as WorkloadScrape;
    rows.push({
      name: by === 'ns' ? first.namespace : first.name,
      namespace: first.namespace,
      meshedPods: members.filter((m) => m.meshed && m.after !== undefined).length,
      pods: members.length,
      successRate: all > 0 ? ok / all : undefined,
      rps: windowSeconds > 0 ? all / windowSeconds : 0,
      p50: histogramQuantile(0.5, hist),
      p95: histogramQuantile(0.95, hist),
      p99: histogramQuantile(0.99, hist),
      tcpConnections: tcp,
    });
  }
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${v < 10 ? v.toFixed(1) : Math.round(v)}ms`;
}

/** The table `linkerd viz stat` prints. */
export function statTable(rows: readonly StatRow[], by: 'deploy' | 'ns' = 'deploy'): string[][] {
  return [
    [by === 'ns' ? 'NAMESPACE' : 'NAME', ...(by === 'ns' ? [] : ['NAMESPACE']), 'MESHED', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN'],
    ...rows.map((r) => [
      r.name,
      ...(by === 'ns' ? [] : [r.namespace]),
      `${r.meshedPods}/${r.pods}`,
      r.successRate === undefined ? '-' : `${(r.successRate * 100).toFixed(2)}%`,
      `${r.rps.toFixed(1)}rps`,
      ms(r.p50),
      ms(r.p95),
      ms(r.p99),
      String(r.tcpConnections),
    ]),
  ];
}
