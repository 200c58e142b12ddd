// `viz routes`: per ServiceProfile route of a Service, success rate, RPS and latencies, as
// `linkerd viz routes`. weft's proxies classify routes on the client side (outbound route_*
// metrics, `dst` = the Service's FQDN), so:
//   - `routes svc/web` (or `deploy/web`: the Services in front of it): what every meshed
//     client sent to the Service, per route;
//   - `routes deploy/vote-bot --to svc/web`: what vote-bot sent to it.
// Requests that match no route are not counted per route by the proxy; [DEFAULT] is what the
// clients sent to the Service (outbound responses whose target is one of its addresses) minus
// what the routes counted, and its latency the difference of the two histograms.
import { ConfigError } from '../../lib/errors.js';
import { histogramQuantile } from '../../lib/histogram.js';
import { promDuration } from '../../lib/duration.js';
import type { Inventory, ServiceInfo } from './inventory.js';
import { addressRegex, serviceAddresses } from './inventory.js';
import type { PromSample } from './prometheus-client.js';
import type { Matchers } from './queries.js';
import { QUERIES } from './queries.js';
import type { ResourceRef, Row } from './resources.js';
import { resolve } from './resources.js';
import type { Query } from './stat.js';
import { sourceMatchers } from './targets.js';

export const DEFAULT_ROUTE = '[DEFAULT]';

export interface RoutesRequest {
  readonly resource: ResourceRef;
  readonly namespace?: string | undefined;
  readonly windowMs: number;
  /** Only what `resource` sent to this Service. */
  readonly to?: ResourceRef | undefined;
  readonly toNamespace?: string | undefined;
}

export interface RouteRow {
  readonly route: string;
  readonly service: string;
  readonly namespace: string;
  readonly successRate: number | undefined;
  readonly rps: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  /** Responses in the window. */
  readonly responses: number;
  /** Mean request/response body bytes per request (-o wide); undefined: not measured ([DEFAULT], or cost off). */
  readonly requestBytes?: number | undefined;
  readonly responseBytes?: number | undefined;
  /** Mean proxy CPU µs per sampled request (-o wide). */
  readonly cpuUs?: number | undefined;
}

export interface RoutesResult {
  readonly window: string;
  readonly rows: readonly RouteRow[];
  /** Services without a ServiceProfile (only [DEFAULT] for them). */
  readonly withoutProfile: readonly string[];
}

const le = (s: PromSample): number => (s.metric['le'] === '+Inf' ? Infinity : Number(s.metric['le']));

function histogram(samples: readonly PromSample[]): Map<number, number> {
  const h = new Map<number, number>();
  for (const s of samples) h.set(le(s), (h.get(le(s)) ?? 0) + s.value);
  return h;
}

async function serviceRoutes(query: Query, inv: Awaited<ReturnType<Inventory['snapshot']>>, svc: ServiceInfo, src: Matchers, window: string, windowMs: number): Promise<RouteRow[]> {
  const m: Matchers = { ...src, dst: svc.fqdn };
  const all: Matchers = { ...src, target_addr: { re: addressRegex(serviceAddresses(svc, inv.pods)) } };
  const [resp, p50, p95, p99, total, totalBuckets, routeBuckets, reqBytes, rspBytes, cpuUs, cpuSamples] = await Promise.all([
    query(QUERIES.routeResponses(m, window)),
    query(QUERIES.routeLatencyQuantile(0.5, m, window)),
    query(QUERIES.routeLatencyQuantile(0.95, m, window)),
    query(QUERIES.routeLatencyQuantile(0.99, m, window)),
    query(QUERIES.responses({ ...all, direction: 'outbound' }, window, [])),
    query(QUERIES.latencyBuckets('outbound', all, window, [])),
    query(QUERIES.routeLatencyBuckets(m, window)),
    query(QUERIES.routeCost('route_request_bytes_total', m, window)),
    query(QUERIES.routeCost('route_response_bytes_total', m, window)),
    query(QUERIES.routeCost('route_request_cpu_us_total', m, window)),
    query(QUERIES.routeCost('route_request_cpu_samples_total', m, window)),
  ]);
  const names = [...svc.routes, ...new Set(resp.map((s) => s.metric['rt_route'] ?? '').filter((r) => r && !svc.routes.includes(r)))];
  const count = (samples: readonly PromSample[], pick: (s: PromSample) => boolean): number => samples.filter(pick).reduce((n, s) => n + s.value, 0);
  const q = (samples: readonly PromSample[], route: string): number | undefined => samples.find((s) => s.metric['rt_route'] === route)?.value;
  const row = (route: string, ok: number, n: number, p: [number | undefined, number | undefined, number | undefined]): RouteRow => ({
    route, service: svc.name, namespace: svc.namespace, successRate: n > 0 ? ok / n : undefined, rps: n / (windowMs / 1000),
    p50: n > 0 ? p[0] : undefined, p95: n > 0 ? p[1] : undefined, p99: n > 0 ? p[2] : undefined, responses: n,
  });
  // Means over the window: a counter's increase over the route's requests (or CPU samples).
  const per = (samples: readonly PromSample[], route: string, over: number): number | undefined => {
    const v = q(samples, route);
    return v === undefined || over <= 0 ? undefined : v / over;
  };
  const rows: RouteRow[] = names.map((r) => {
    const mine = (s: PromSample): boolean => s.metric['rt_route'] === r;
    const n = count(resp, mine);
    return {
      ...row(r, count(resp, (s) => mine(s) && s.metric['classification'] === 'success'), n, [q(p50, r), q(p95, r), q(p99, r)]),
      requestBytes: per(reqBytes, r, n), responseBytes: per(rspBytes, r, n), cpuUs: per(cpuUs, r, q(cpuSamples, r) ?? 0),
    };
  });
  // [DEFAULT]: everything sent to the Service minus what the routes counted.
  const routedOk = count(resp, (s) => s.metric['classification'] === 'success');
  const routed = count(resp, () => true);
  const n = Math.max(0, count(total, () => true) - routed);
  // Two extrapolated differences: keep the share within 0..1.
  const ok = Math.min(n, Math.max(0, count(total, (s) => s.metric['classification'] === 'success') - routedOk));
  const rest = histogram(totalBuckets);
  for (const [b, c] of histogram(routeBuckets)) rest.set(b, Math.max(0, (rest.get(b) ?? 0) - c));
  rows.push(row(DEFAULT_ROUTE, ok, n, [histogramQuantile(0.5, rest), histogramQuantile(0.95, rest), histogramQuantile(0.99, rest)]));
  return rows;
}

export async function routes(query: Query, inventory: Inventory, req: RoutesRequest): Promise<RoutesResult> {
  const inv = await inventory.snapshot();
  const window = promDuration(req.windowMs);
  let services: ServiceInfo[];
  let src: Matchers = {};
  if (req.to) {
    if (req.to.type !== 'svc' || req.to.name === undefined) throw new ConfigError('routes --to: name a Service, e.g. --to svc/web');
    const targets = resolve(inv, req.to, req.toNamespace ?? req.namespace);
    services = targets.flatMap((t) => inv.services.filter((s) => s.name === t.name && s.namespace === t.namespace));
    const sources = resolve(inv, req.resource, req.namespace);
    if (sources.length !== 1) throw new ConfigError(`routes --to: name one source, e.g. deploy/web (got ${sources.length})`);
    src = sourceMatchers(sources[0] as Row);
  } else if (req.resource.type === 'svc') {
    const rows = resolve(inv, req.resource, req.namespace);
    services = rows.flatMap((t) => inv.services.filter((s) => s.name === t.name && s.namespace === t.namespace));
  } else {
    if (req.resource.type === 'ns') throw new ConfigError('routes: name a Service or a workload (svc/web, deploy/web), not a namespace');
    // The Services in front of the workload's pods.
    const pods = new Set(resolve(inv, req.resource, req.namespace).flatMap((r) => r.pods.map((p) => `${p.namespace}/${p.name}`)));
    services = inv.services.filter((s) => s.pods.some((p) => pods.has(`${s.namespace}/${p}`)));
  }
  const rows = (await Promise.all(services.map((s) => serviceRoutes(query, inv, s, src, window, req.windowMs)))).flat();
  return { window, rows, withoutProfile: services.filter((s) => !s.hasProfile).map((s) => `${s.namespace}/${s.name}`) };
}
