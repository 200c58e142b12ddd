// Every PromQL query weft's viz runs, in one place (each is run against a real Prometheus with
// real traffic in test/integration/metrics-queries.test.ts). They read the proxies' Linkerd-named
// metrics as Prometheus labels them (namespace, deployment, pod from the scrape targets; see
// runtime/local/prometheus-config.ts), mostly through the per-pod recording rules, over a
// window such as 1m:
//   success rate and RPS  increase(pod:response_total:sum) by group and classification
//   latency p50/p95/p99   histogram_quantile over rate(pod:response_latency_ms_bucket:<dir>)
//   TCP connections       tcp_open_connections now
//   per route             the route_response_total / _latency_ms_bucket rules by rt_route
//   per route cost        route_{request,response}_bytes_total, route_request_cpu_{us,samples}_total
// `direction="inbound"` is what a workload served; `direction="outbound"` with a target_addr
// is what it sent somewhere (edges, --to/--from, a Service's [DEFAULT] route).
import { VIZ_RULES } from './recording-rules.js';

/** Label matchers: exact values, or { re } for =~. */
export type Matchers = Readonly<Record<string, string | { readonly re: string }>>;

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function selector(m: Matchers): string {
  return Object.entries(m).map(([k, v]) => (typeof v === 'string' ? `${k}=${quote(v)}` : `${k}=~${quote(v.re)}`)).join(', ');
}

/** `{fixed, matchers}` without a dangling comma when there are no matchers. */
const braces = (fixed: string, m: Matchers): string => `{${[fixed, selector(m)].filter(Boolean).join(', ')}}`;

const sumBy = (by: readonly string[]): string => (by.length ? `sum by (${by.join(', ')})` : 'sum');

export type Direction = 'inbound' | 'outbound';

const latencyRule = (d: Direction): string => (d === 'inbound' ? VIZ_RULES.inboundLatency : VIZ_RULES.outboundLatency);

/** The latency rules hold one direction each (the name says which): no direction label to match. */
function noDirection(m: Matchers): Matchers {
  const { direction: _direction, ...rest } = m;
  return rest;
}

/** The per-route cost counters the proxies export (src/proxy/metrics/route-cost.ts). */
export type RouteCostMetric = 'route_request_bytes_total' | 'route_response_bytes_total' | 'route_request_cpu_us_total' | 'route_request_cpu_samples_total';

export const QUERIES = Object.freeze({
  /** Responses in the window, per group and classification (success rate; RPS = total / window). */
  responses: (m: Matchers, window: string, by: readonly string[]): string =>
    `${sumBy([...by, 'classification'])} (increase(${VIZ_RULES.responses}{${selector(m)}}[${window}]))`,

  /** A latency quantile (milliseconds) per group, from the per-pod buckets. */
  latencyQuantile: (q: number, d: Direction, m: Matchers, window: string, by: readonly string[]): string =>
    `histogram_quantile(${q}, ${sumBy(['le', ...by])} (rate(${latencyRule(d)}{${selector(noDirection(m))}}[${window}])))`,

  /** The latency buckets per group (quantiles computed after regrouping, e.g. by destination). */
  latencyBuckets: (d: Direction, m: Matchers, window: string, by: readonly string[]): string =>
    `${sumBy(['le', ...by])} (rate(${latencyRule(d)}{${selector(noDirection(m))}}[${window}]))`,

  /** TCP connections open now. */
  tcpOpen: (m: Matchers, by: readonly string[]): string =>
    `${sumBy(by)} (tcp_open_connections${braces('job="weft-proxy"', m)})`,

  /** Bytes per second read from / written to peers (stat -o wide). */
  tcpReadRate: (m: Matchers, window: string, by: readonly string[]): string =>
    `${sumBy(by)} (rate(tcp_read_bytes_total${braces('job="weft-proxy"', m)}[${window}]))`,
  tcpWriteRate: (m: Matchers, window: string, by: readonly string[]): string =>
    `${sumBy(by)} (rate(tcp_write_bytes_total${braces('job="weft-proxy"', m)}[${window}]))`,

  /** Responses per ServiceProfile route (proxies record routes on the outbound side). */
  routeResponses: (m: Matchers, window: string): string =>
    `sum by (dst, rt_route, classification) (increase(${VIZ_RULES.routeResponses}${braces('direction="outbound"', m)}[${window}]))`,

  routeLatencyQuantile: (q: number, m: Matchers, window: string): string =>
    `histogram_quantile(${q}, sum by (le, dst, rt_route) (rate(${VIZ_RULES.routeLatency}${braces('direction="outbound"', m)}[${window}])))`,

  /** Every route's buckets together (subtracted from all responses' for [DEFAULT]). */
  routeLatencyBuckets: (m: Matchers, window: string): string =>
    `sum by (le, dst) (rate(${VIZ_RULES.routeLatency}${braces('direction="outbound"', m)}[${window}]))`,

  /**
   * A route cost counter's increase per route (bytes, CPU µs, CPU samples): few series per
   * proxy (one per route), so read raw rather than through a recording rule.
   */
  routeCost: (metric: RouteCostMetric, m: Matchers, window: string): string =>
    `sum by (dst, rt_route) (increase(${metric}${braces('job="weft-proxy", direction="outbound"', m)}[${window}]))`,

  /** Who sent what where: outbound responses by source and destination (edges, --from). */
  outboundByTarget: (m: Matchers, window: string, by: readonly string[]): string =>
    `${sumBy([...by, 'target_addr', 'tls', 'no_tls_reason', 'server_id', 'classification'])} (increase(${VIZ_RULES.responses}${braces('direction="outbound"', m)}[${window}]))`,

  /** Who was served by whom: inbound responses by the client identity the proxy verified. */
  inboundByClient: (m: Matchers, window: string, by: readonly string[]): string =>
    `${sumBy([...by, 'client_id', 'tls', 'no_tls_reason'])} (increase(${VIZ_RULES.responses}${braces('direction="inbound"', m)}[${window}]))`,
});

/** Inbound authorization decisions (the proxies' Linkerd-named counters), for `viz authz`. */
const AUTHZ_BY = ['namespace', 'deployment', 'pod', 'target_addr', 'srv_kind', 'srv_name', 'route_kind', 'route_name'];

export const AUTHZ_QUERIES = Object.freeze({
  /** Requests each authorization allowed, per pod, server port, route and authorization. */
  allowed: (m: Matchers, window: string): string =>
    `sum by (${[...AUTHZ_BY, 'authz_kind', 'authz_name'].join(', ')}) (increase(inbound_http_authz_allow_total${braces('job="weft-proxy"', m)}[${window}]))`,
  /** Requests no authorization allowed (403 / PERMISSION_DENIED), per pod, server port and route. */
  denied: (m: Matchers, window: string): string =>
    `sum by (${AUTHZ_BY.join(', ')}) (increase(inbound_http_authz_deny_total${braces('job="weft-proxy"', m)}[${window}]))`,
});
