// The tables `weft viz` prints, in `linkerd viz`'s columns: stat (plus READ/WRITE bytes with
// -o wide), edges (plus the identities with -o wide), routes and authz.
import type { AuthzRow } from '../control/metrics/authz.js';
import type { EdgeRow } from '../control/metrics/edges.js';
import type { RouteRow } from '../control/metrics/routes.js';
import type { StatRow } from '../control/metrics/stat.js';

export function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${v < 10 ? v.toFixed(1) : Math.round(v)}ms`;
}

export function percent(v: number | undefined): string {
  return v === undefined ? '-' : `${(v * 100).toFixed(2)}%`;
}

export function rps(v: number): string {
  return `${v.toFixed(1)}rps`;
}

function bytes(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 1024 * 1024 ? `${(v / 1024 / 1024).toFixed(1)}MB/s` : v >= 1024 ? `${(v / 1024).toFixed(1)}KB/s` : `${v.toFixed(1)}B/s`;
}

/** NAME [NAMESPACE] MESHED SUCCESS RPS LATENCY_P50 LATENCY_P95 LATENCY_P99 TCP_CONN [READ_BYTES/SEC WRITE_BYTES/SEC] */
export function statTableOf(rows: readonly StatRow[], o: { namespaceColumn: boolean; wide: boolean; title?: string }): string[][] {
  return [
    [o.title ?? 'NAME', ...(o.namespaceColumn ? ['NAMESPACE'] : []), 'MESHED', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN',
      ...(o.wide ? ['READ_BYTES/SEC', 'WRITE_BYTES/SEC'] : [])],
    ...rows.map((r) => [
      r.name, ...(o.namespaceColumn ? [r.namespace] : []), `${r.meshedPods}/${r.pods}`, percent(r.successRate), rps(r.rps),
      ms(r.p50), ms(r.p95), ms(r.p99), String(r.tcpConnections),
      ...(o.wide ? [bytes(r.readBytesPerSec), bytes(r.writeBytesPerSec)] : []),
    ]),
  ];
}

/** SRC DST SRC_NS DST_NS SECURED [CLIENT_ID SERVER_ID MSG] */
export function edgesTableOf(rows: readonly EdgeRow[], wide: boolean): string[][] {
  const id = (s: string): string => s || '-';
  return [
    ['SRC', 'DST', 'SRC_NS', 'DST_NS', 'SECURED', ...(wide ? ['CLIENT_ID', 'SERVER_ID', 'MSG'] : [])],
    ...rows.map((e) => [e.src, e.dst, e.srcNamespace, e.dstNamespace, e.secured ? '√' : '×',
      ...(wide ? [id(e.clientId), id(e.serverId), e.msg || '-'] : [])]),
  ];
}

function perRequest(v: number | undefined, unit: string): string {
  if (v === undefined) return '-';
  if (unit === 'B' && v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)}MB`;
  if (unit === 'B' && v >= 1024) return `${(v / 1024).toFixed(1)}KB`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${unit}`;
}

/** ROUTE SERVICE SUCCESS RPS LATENCY_P50 LATENCY_P95 LATENCY_P99 [REQ_BYTES RSP_BYTES CPU/REQ] (per request, means) */
export function routesTableOf(rows: readonly RouteRow[], wide = false): string[][] {
  return [
    ['ROUTE', 'SERVICE', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', ...(wide ? ['REQ_BYTES', 'RSP_BYTES', 'CPU/REQ'] : [])],
    ...rows.map((r) => [r.route, r.service, percent(r.successRate), rps(r.rps), ms(r.p50), ms(r.p95), ms(r.p99),
      ...(wide ? [perRequest(r.requestBytes, 'B'), perRequest(r.responseBytes, 'B'), perRequest(r.cpuUs, 'µs')] : [])]),
  ];
}

/** [WORKLOAD] ROUTE SERVER AUTHORIZATION UNAUTHORIZED SUCCESS RPS */
export function authzTableOf(rows: readonly AuthzRow[], workloadColumn: boolean): string[][] {
  return [
    [...(workloadColumn ? ['WORKLOAD'] : []), 'ROUTE', 'SERVER', 'AUTHORIZATION', 'UNAUTHORIZED', 'SUCCESS', 'RPS'],
    ...rows.map((r) => [...(workloadColumn ? [`${r.namespace}/${r.workload}`] : []), r.route, r.server, r.authorization || '-', rps(r.unauthorizedRps), percent(r.successRate), rps(r.rps)]),
  ];
}
