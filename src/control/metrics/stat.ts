// `viz stat`: per namespace, Deployment, pod or Service the share of meshed pods, success rate,
// RPS, latency percentiles and open TCP connections over a window, as `linkerd viz stat`.
//   - plain: what the resource served (inbound side of its pods' proxies). A Service is the
//     pods behind it, on the ports it targets: every client counts, meshed or not.
//   - --to R: what the resource sent to R (its pods' outbound side, target_addr among R's
//     addresses: a cluster IP, a pod, a pod's loopback proxy).
//   - --from R: what R sent to each resource of the type (R's outbound side, grouped by
//     destination; the quantiles are computed from the regrouped buckets, as
//     histogram_quantile would).
import { ConfigError } from '../../lib/errors.js';
import { histogramQuantile } from '../../lib/histogram.js';
import { promDuration } from '../../lib/duration.js';
import type { AddressPattern, InventorySnapshot, Inventory } from './inventory.js';
import { addressRegex, matches } from './inventory.js';
import type { PromSample } from './prometheus-client.js';
import type { Direction, Matchers } from './queries.js';
import { QUERIES } from './queries.js';
import type { ResourceRef, Row } from './resources.js';
import { resolve, rowsOf } from './resources.js';
import { rowAddresses, sourceMatchers } from './targets.js';

export type Query = (q: string) => Promise<PromSample[]>;

export interface StatRequest {
  readonly resource: ResourceRef;
  /** Only this namespace (undefined: all). */
  readonly namespace?: string | undefined;
  readonly windowMs: number;
  readonly from?: ResourceRef | undefined;
  readonly fromNamespace?: string | undefined;
  readonly to?: ResourceRef | undefined;
  readonly toNamespace?: string | undefined;
  /** Also bytes per second read and written. */
  readonly wide?: boolean | undefined;
}

export interface StatRow {
  readonly type: string;
  readonly name: string;
  readonly namespace: string;
  readonly meshedPods: number;
  readonly pods: number;
  /** 0..1; undefined without responses in the window. */
  readonly successRate: number | undefined;
  readonly rps: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly tcpConnections: number;
  readonly readBytesPerSec?: number | undefined;
  readonly writeBytesPerSec?: number | undefined;
}

export interface StatResult {
  readonly window: string;
  readonly direction: Direction;
  readonly rows: readonly StatRow[];
}

interface Measured {
  ok: number;
  total: number;
  p50?: number | undefined;
  p95?: number | undefined;
  p99?: number | undefined;
  tcp: number;
  read?: number | undefined;
  write?: number | undefined;
}

const empty = (): Measured => ({ ok: 0, total: 0, tcp: 0 });

/** The whole query set for some matchers, grouped by `by`; keyed by the `by` values joined with '/'. */
async function measure(query: Query, d: Direction, m: Matchers, window: string, by: readonly string[], wide: boolean): Promise<Map<string, Measured>> {
  const key = (s: PromSample): string => by.map((l) => s.metric[l] ?? '').join('/');
  const [resp, p50, p95, p99, tcp, read, write] = await Promise.all([
    query(QUERIES.responses(m, window, by)),
    query(QUERIES.latencyQuantile(0.5, d, m, window, by)),
    query(QUERIES.latencyQuantile(0.95, d, m, window, by)),
    query(QUERIES.latencyQuantile(0.99, d, m, window, by)),
    query(QUERIES.tcpOpen(m, by)),
    wide ? query(QUERIES.tcpReadRate(m, window, by)) : Promise.resolve([]),
    wide ? query(QUERIES.tcpWriteRate(m, window, by)) : Promise.resolve([]),
  ]);
  const out = new Map<string, Measured>();
  const at = (s: PromSample): Measured => {
    const k = key(s);
    const v = out.get(k) ?? empty();
    out.set(k, v);
    return v;
  };
  for (const s of resp) {
    at(s).total += s.value;
    if (s.metric['classification'] === 'success') at(s).ok += s.value;
  }
  for (const s of p50) at(s).p50 = s.value;
  for (const s of p95) at(s).p95 = s.value;
  for (const s of p99) at(s).p99 = s.value;
  for (const s of tcp) at(s).tcp += s.value;
  for (const s of read) at(s).read = (at(s).read ?? 0) + s.value;
  for (const s of write) at(s).write = (at(s).write ?? 0) + s.value;
  return out;
}

function toRow(r: Row, m: Measured, windowMs: number, wide: boolean): StatRow {
  return {
    type: r.type, name: r.name, namespace: r.namespace,
    meshedPods: r.pods.filter((p) => p.meshed).length, pods: r.pods.length,
    successRate: m.total > 0 ? m.ok / m.total : undefined,
    rps: m.total / (windowMs / 1000),
    p50: m.p50, p95: m.p95, p99: m.p99,
    tcpConnections: m.tcp,
    ...(wide ? { readBytesPerSec: m.read ?? 0, writeBytesPerSec: m.write ?? 0 } : {}),
  };
}

/** How a row's series are grouped (one query for all rows), or undefined for per-row queries (Services). */
function grouping(r: Row): { by: string[]; key: string } | undefined {
  if (r.type === 'deploy') return { by: ['namespace', 'deployment'], key: `${r.namespace}/${r.name}` };
  if (r.type === 'pod') return { by: ['namespace', 'pod'], key: `${r.namespace}/${r.name}` };
  if (r.type === 'ns') return { by: ['namespace'], key: r.name };
  return undefined;
}

export async function stat(query: Query, inventory: Inventory, req: StatRequest): Promise<StatResult> {
  if (req.from && req.to) throw new ConfigError('stat: --from and --to cannot be used together');
  const inv = await inventory.snapshot();
  const window = promDuration(req.windowMs);
  const wide = req.wide === true;
  if (req.from) return statFrom(query, inv, req, window);
  const rows = resolve(inv, req.resource, req.namespace);
  const d: Direction = req.to ? 'outbound' : 'inbound';
  const toAddrs = req.to ? resolve(inv, req.to, req.toNamespace ?? req.namespace).flatMap((r) => rowAddresses(inv, r)) : undefined;
  const base: Matchers = toAddrs ? { direction: 'outbound', target_addr: { re: addressRegex(toAddrs) } } : { direction: 'inbound' };

  const out: StatRow[] = [];
  const grouped = rows.filter((r) => grouping(r));
  if (grouped.length > 0) {
    const g = grouping(grouped[0] as Row) as { by: string[] };
    const ns: Matchers = req.resource.type !== 'ns' && req.namespace ? { namespace: req.namespace } : {};
    const got = await measure(query, d, { ...base, ...ns }, window, g.by, wide);
    for (const r of grouped) out.push(toRow(r, got.get((grouping(r) as { key: string }).key) ?? empty(), req.windowMs, wide));
  }
  // A Service: its pods, and inbound only on the ports it targets.
  await Promise.all(rows.filter((r) => !grouping(r)).map(async (r) => {
    const svc = inv.services.find((s) => s.name === r.name && s.namespace === r.namespace);
    if (!svc || r.pods.length === 0) return void out.push(toRow(r, empty(), req.windowMs, wide));
    const m: Matchers = {
      ...base, ...sourceMatchers(r),
      ...(toAddrs ? {} : { target_addr: { re: `.*:(${svc.targetPorts.join('|') || '0'})` } }),
    };
    const got = await measure(query, d, m, window, [], wide);
    out.push(toRow(r, got.get('') ?? empty(), req.windowMs, wide));
  }));
  return { window, direction: d, rows: sortRows(out) };
}

function sortRows(rows: StatRow[]): StatRow[] {
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** --from R: R's outbound series grouped by destination, then mapped to the rows they reach. */
async function statFrom(query: Query, inv: InventorySnapshot, req: StatRequest, window: string): Promise<StatResult> {
  const sources = resolve(inv, req.from as ResourceRef, req.fromNamespace ?? req.namespace);
  const src: Matchers = req.from?.name === undefined ? {} : sourceMatchersOf(sources);
  const m: Matchers = { direction: 'outbound', ...src };
  const wide = req.wide === true;
  const [resp, buckets, tcp, read, write] = await Promise.all([
    query(QUERIES.responses(m, window, ['target_addr'])),
    query(QUERIES.latencyBuckets('outbound', m, window, ['target_addr'])),
    query(QUERIES.tcpOpen(m, ['target_addr'])),
    wide ? query(QUERIES.tcpReadRate(m, window, ['target_addr'])) : Promise.resolve([]),
    wide ? query(QUERIES.tcpWriteRate(m, window, ['target_addr'])) : Promise.resolve([]),
  ]);
  const candidates = req.resource.name === undefined
    ? rowsOf(inv, req.resource.type, req.resource.type === 'ns' ? undefined : req.namespace)
    : resolve(inv, req.resource, req.namespace);
  const addrs = new Map<Row, AddressPattern[]>(candidates.map((r) => [r, rowAddresses(inv, r)]));
  const rowOf = (s: PromSample): Row | undefined => {
    const a = s.metric['target_addr'] ?? '';
    return candidates.find((r) => (addrs.get(r) ?? []).some((p) => matches(a, p)));
  };
  const acc = new Map<Row, Measured & { hist: Map<number, number> }>();
  const at = (s: PromSample): (Measured & { hist: Map<number, number> }) | undefined => {
    const r = rowOf(s);
    if (!r) return undefined;
    const v = acc.get(r) ?? { ...empty(), hist: new Map() };
    acc.set(r, v);
    return v;
  };
  for (const s of resp) {
    const v = at(s);
    if (!v) continue;
    v.total += s.value;
    if (s.metric['classification'] === 'success') v.ok += s.value;
  }
  for (const s of buckets) {
    const v = at(s);
    if (!v) continue;
    const le = s.metric['le'] === '+Inf' ? Infinity : Number(s.metric['le']);
    v.hist.set(le, (v.hist.get(le) ?? 0) + s.value);
  }
  for (const s of tcp) {
    const v = at(s);
    if (v) v.tcp += s.value;
  }
  for (const s of read) {
    const v = at(s);
    if (v) v.read = (v.read ?? 0) + s.value;
  }
  for (const s of write) {
    const v = at(s);
    if (v) v.write = (v.write ?? 0) + s.value;
  }
  const rows = [...acc.entries()].filter(([, v]) => v.total > 0 || v.tcp > 0).map(([r, v]) => toRow(r, {
    ...v, p50: histogramQuantile(0.5, v.hist), p95: histogramQuantile(0.95, v.hist), p99: histogramQuantile(0.99, v.hist),
  }, req.windowMs, wide));
  return { window, direction: 'outbound', rows: sortRows(rows) };
}

/** Matchers for the series of several source rows (one row: its own; several: by pod). */
function sourceMatchersOf(rows: readonly Row[]): Matchers {
  if (rows.length === 1) return sourceMatchers(rows[0] as Row);
  const pods = rows.flatMap((r) => r.pods.map((p) => p.name));
  return { pod: { re: pods.length ? pods.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') : '^$x' } };
}
