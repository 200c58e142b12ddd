// Per-route metrics for outbound traffic routed by an OutboundPolicy, with linkerd2-proxy's
// names and labels (outbound_{http,grpc}_route_*): the parent Service (parent_*), the route
// (route_*, kind HTTPRoute or GRPCRoute), and for backend requests the backend (backend_*).
//   outbound_http_route_request_statuses_total{parent_*, route_*, hostname, http_status, error}
//   outbound_grpc_route_request_statuses_total{parent_*, route_*, hostname, grpc_status, error}
//   outbound_{http,grpc}_route_request_duration_seconds (histogram, same labels less status)
//   outbound_{http,grpc}_route_backend_requests_total{parent_*, route_*, backend_*}
//   outbound_{http,grpc}_route_retry_requests_total{parent_*, route_*}
//   outbound_http_route_fault_injected_total{parent_*, route_*, fault="abort"|"delay"} (weft)
import { Counter, Histogram } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { RequestCost } from '../metrics/route-cost.js';
import type { OutboundRoute, ParentLabels, WeightedBackend } from './policy-types.js';

const PARENT = ['parent_group', 'parent_kind', 'parent_name', 'parent_namespace', 'parent_port', 'parent_section_name'];
const ROUTE = ['route_group', 'route_kind', 'route_name', 'route_namespace'];
const BACKEND = ['backend_group', 'backend_kind', 'backend_name', 'backend_namespace', 'backend_port', 'backend_section_name'];
// linkerd2-proxy's route latency buckets, in seconds.
const SECONDS = [0.05, 0.5, 1, 10];

type Protocol = 'http' | 'grpc';

interface Families {
  readonly statuses: Counter;
  readonly duration: Histogram;
  readonly backends: Counter;
  readonly retries: Counter;
}

export type RouteLabelValues = Readonly<Record<string, string>>;

export class OutboundRouteMetrics {
  private readonly families: Record<Protocol, Families>;
  private readonly faults: Counter;

  constructor(private readonly m: ProxyMetrics) {
    const r = m.registry;
    const families = (p: Protocol, status: string): Families => ({
      statuses: r.register(new Counter(`outbound_${p}_route_request_statuses_total`, `Completed ${p === 'http' ? 'HTTP' : 'gRPC'} requests per outbound route, by status`, [...PARENT, ...ROUTE, 'hostname', status, 'error'])),
      duration: r.register(new Histogram(`outbound_${p}_route_request_duration_seconds`, 'Time from request start to response end per outbound route, in seconds', [...PARENT, ...ROUTE, 'hostname'], SECONDS)),
      backends: r.register(new Counter(`outbound_${p}_route_backend_requests_total`, 'Requests sent to each backend of an outbound route (traffic split)', [...PARENT, ...ROUTE, ...BACKEND])),
      retries: r.register(new Counter(`outbound_${p}_route_retry_requests_total`, 'Retries granted by an outbound route\'s retry policy', [...PARENT, ...ROUTE])),
    });
    this.families = { http: families('http', 'http_status'), grpc: families('grpc', 'grpc_status') };
    this.faults = r.register(new Counter('outbound_http_route_fault_injected_total', 'Requests an outbound route\'s fault injection aborted or delayed', [...PARENT, ...ROUTE, 'fault']));
  }

  /** The parent and route labels of one request (computed once per request). */
  static labels(parent: ParentLabels, route: OutboundRoute): RouteLabelValues {
    return {
      parent_group: parent.group, parent_kind: parent.kind, parent_name: parent.name, parent_namespace: parent.namespace,
      parent_port: parent.port, parent_section_name: '',
      route_group: route.labels.group, route_kind: route.labels.kind, route_name: route.labels.name, route_namespace: route.labels.namespace,
    };
  }

  finished(p: Protocol, labels: RouteLabelValues, hostname: string, status: string, error: string, seconds: number, cost?: RequestCost): void {
    const f = this.families[p];
    f.statuses.inc({ ...labels, hostname, [p === 'http' ? 'http_status' : 'grpc_status']: status, error });
    f.duration.observe({ ...labels, hostname }, seconds);
    // Bytes and CPU per route (viz routes -o wide) under the same labels as ServiceProfile routes.
    if (cost) this.m.routeCostFinished({ direction: 'outbound', dst: hostname, rt_route: labels['route_name'] ?? '' }, cost);
  }

  /** A cost record for one routed request (undefined when per-route cost is off). */
  startCost(): RequestCost | undefined {
    return this.m.startRouteCost();
  }

  backend(p: Protocol, labels: RouteLabelValues, b: WeightedBackend): void {
    const l = b.labels;
    this.families[p].backends.inc({
      ...labels,
      backend_group: l.group, backend_kind: l.kind, backend_name: l.name, backend_namespace: l.namespace, backend_port: l.port, backend_section_name: '',
    });
  }

  retried(p: Protocol, labels: RouteLabelValues): void {
    this.families[p].retries.inc(labels);
  }

  fault(labels: RouteLabelValues, fault: 'abort' | 'delay'): void {
    this.faults.inc({ ...labels, fault });
  }
}
