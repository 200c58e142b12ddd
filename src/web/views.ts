// The dashboard's views, each built from the metrics API (the same calls `weft viz` makes):
// the overview (stat per Deployment and per namespace), the topology (edges, plus each source's
// outbound stat for the traffic and success on its edges) and one workload's page.
import type { MetricsApiClient } from '../control/metrics/client.js';
import type { EdgeRow } from '../control/metrics/edges.js';
import type { StatRow } from '../control/metrics/stat.js';
import { WeftError } from '../lib/errors.js';
import type { NamespaceSummary, Overview, Topology, TopologyEdge, WorkloadDetail, WorkloadSummary } from './api-types.js';

const orNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);
const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export function workloadSummary(r: StatRow, history: readonly number[] = []): WorkloadSummary {
  return {
    namespace: r.namespace, name: r.name, meshedPods: r.meshedPods, pods: r.pods, successRate: orNull(r.successRate), rps: r.rps,
    p50: orNull(r.p50), p99: orNull(r.p99), tcpConnections: r.tcpConnections, rpsHistory: history,
  };
}

function namespaceSummary(r: StatRow): NamespaceSummary {
  return { name: r.name, meshedPods: r.meshedPods, pods: r.pods, successRate: orNull(r.successRate), rps: r.rps, p50: orNull(r.p50), p99: orNull(r.p99) };
}

/** Keeps the last `size` RPS readings per workload, for the overview's sparklines. */
export class RpsHistory {
  private readonly series = new Map<string, number[]>();
  constructor(private readonly size = 60) {}

  record(rows: readonly StatRow[]): void {
    const seen = new Set<string>();
    for (const r of rows) {
      const k = key(r.namespace, r.name);
      seen.add(k);
      const s = this.series.get(k) ?? [];
      s.push(r.rps);
      if (s.length > this.size) s.shift();
      this.series.set(k, s);
    }
    for (const k of this.series.keys()) if (!seen.has(k)) this.series.delete(k);
  }

  of(namespace: string, name: string): readonly number[] {
    return [...(this.series.get(key(namespace, name)) ?? [])];
  }
}

export async function overview(api: MetricsApiClient, window: string, history?: RpsHistory): Promise<Overview> {
  const [deploys, namespaces] = await Promise.all([api.stat({ resource: 'deploy', window }), api.stat({ resource: 'ns', window })]);
  history?.record(deploys.rows);
  return {
    window, at: new Date().toISOString(),
    namespaces: namespaces.rows.map(namespaceSummary),
    workloads: deploys.rows.map((r) => workloadSummary(r, history?.of(r.namespace, r.name))),
  };
}

/** A source without a proxy shows as '-' (or '') in edges: it has no outbound numbers. */
const meshedSource = (e: EdgeRow): boolean => e.src !== '' && e.src !== '-';

export async function topology(api: MetricsApiClient, window: string, deploys?: readonly StatRow[]): Promise<Topology> {
  const [edges, nodes] = await Promise.all([
    api.edges({ resource: 'deploy', window }),
    deploys ? Promise.resolve(deploys) : api.stat({ resource: 'deploy', window }).then((s) => s.rows),
  ]);
  // What each meshed source sent, per destination Deployment: one stat --from per source.
  const sources = [...new Map(edges.edges.filter(meshedSource).map((e) => [key(e.srcNamespace, e.src), e])).values()];
  const sent = new Map<string, StatRow>();
  await Promise.all(sources.map(async (e) => {
    const rows = (await api.stat({ resource: 'deploy', window, from: `deploy/${e.src}`, fromNamespace: e.srcNamespace })).rows;
    for (const r of rows) sent.set(`${key(e.srcNamespace, e.src)}>${key(r.namespace, r.name)}`, r);
  }));
  const out: TopologyEdge[] = edges.edges.map((e) => {
    const s = sent.get(`${key(e.srcNamespace, e.src)}>${key(e.dstNamespace, e.dst)}`);
    return {
      src: e.src, srcNamespace: e.srcNamespace, dst: e.dst, dstNamespace: e.dstNamespace, secured: e.secured, clientId: e.clientId, serverId: e.serverId, msg: e.msg,
      rps: s ? s.rps : null, successRate: s ? orNull(s.successRate) : null,
    };
  });
  return {
    window, at: new Date().toISOString(),
    nodes: nodes.map((r) => ({ namespace: r.namespace, name: r.name, rps: r.rps, successRate: orNull(r.successRate) })),
    edges: out,
  };
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export async function workloadDetail(api: MetricsApiClient, window: string, namespace: string, name: string, history?: RpsHistory): Promise<WorkloadDetail> {
  for (const [what, v] of [['namespace', namespace], ['name', name]] as const) {
    if (!NAME.test(v)) throw new WeftError('WEFT_ERR_CONFIG', `${what} "${v}" is not a Kubernetes name`);
  }
  const stat = await api.stat({ resource: `deploy/${name}`, namespace, window });
  const row = stat.rows[0];
  const topo = await topology(api, window, stat.rows);
  let routes: WorkloadDetail['routes'] = [];
  let routesNote = '';
  try {
    const r = await api.routes({ resource: `deploy/${name}`, namespace, window });
    routes = r.rows.map((x) => ({ route: x.route, service: x.service, successRate: orNull(x.successRate), rps: x.rps, p50: orNull(x.p50), p99: orNull(x.p99) }));
    if (r.withoutProfile.length) routesNote = `no ServiceProfile for ${r.withoutProfile.join(', ')}: only [DEFAULT]`;
  } catch (err) {
    // A workload behind no Service has no routes: say why instead of failing the page.
    if (!(err instanceof WeftError) || err.code === 'WEFT_ERR_PROMETHEUS_UNAVAILABLE') throw err;
    routesNote = err.message;
  }
  return {
    window, namespace, name,
    summary: row ? workloadSummary(row, history?.of(namespace, name)) : null,
    inbound: topo.edges.filter((e) => e.dst === name && e.dstNamespace === namespace),
    outbound: topo.edges.filter((e) => e.src === name && e.srcNamespace === namespace),
    routes, routesNote,
  };
}
