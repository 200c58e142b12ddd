// The proxy's Prometheus metrics, named as Linkerd's proxy names them so existing dashboards
// and queries make sense. One Registry per proxy instance (tests run several in a process).
// Labelled children are cached per label set, so a request costs a map lookup, not a hash of
// the label object (see prom.ts for why weft writes its own exposition).
import { Counter, Gauge, Histogram, Registry, type AnyMetric, type CounterChild, type HistogramChild } from './prom.js';
import { RouteCostSampler, type RequestCost } from './route-cost.js';

/** Labels shared by HTTP request/response metrics. */
export interface HttpLabels {
  readonly direction: 'inbound' | 'outbound';
  readonly authority: string;
  readonly target_addr: string;
  readonly tls: string;
  readonly no_tls_reason: string;
  readonly client_id: string;
  readonly server_id: string;
}

export interface TcpLabels {
  readonly direction: 'inbound' | 'outbound';
  readonly target_addr: string;
  readonly tls: string;
  readonly no_tls_reason: string;
  readonly client_id: string;
  readonly server_id: string;
}

export interface RouteLabels {
  readonly direction: 'inbound' | 'outbound';
  readonly dst: string;
  readonly rt_route: string;
}

const HTTP_LABELS = ['direction', 'authority', 'target_addr', 'tls', 'no_tls_reason', 'client_id', 'server_id'] as const;
const TCP_LABELS = ['direction', 'target_addr', 'tls', 'no_tls_reason', 'client_id', 'server_id'] as const;
// Linkerd's latency buckets (milliseconds).
const LATENCY_BUCKETS = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000];

export type Classification = 'success' | 'failure';
export type DiscoverySource = 'destination' | 'dns' | 'original';

/** One label set's HTTP series; http-observe.ts looks it up once per connection and label set. */
export interface HttpSeries {
  readonly labels: HttpLabels;
  readonly request: CounterChild;
  /** By status, classification and error: status × 2 + (failure ? 1 : 0) when there is no error. */
  readonly responses: Map<number | string, CounterChild>;
  /** By status. */
  readonly latency: Map<number, HistogramChild>;
}

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requestTotal: Counter;
  private readonly responseTotal: Counter;
  private readonly responseLatency: Histogram;
  private readonly tcpOpenTotal: Counter;
  private readonly tcpOpenConnections: Gauge;
  private readonly tcpReadBytes: Counter;
  private readonly tcpWriteBytes: Counter;
  private readonly tcpCloseTotal: Counter;
  private readonly httpCache = new Map<string, HttpSeries>();
  private readonly routeRequestTotal: Counter;
  private readonly routeResponseTotal: Counter;
  private readonly routeResponseLatency: Histogram;
  private readonly routeRequestBytes: Counter;
  private readonly routeResponseBytes: Counter;
  private readonly routeCpuUs: Counter;
  private readonly routeCpuSamples: Counter;
  /** Hands a routed request its RequestCost (undefined when per-route cost is off). */
  private readonly routeCost: RouteCostSampler;
  private readonly limitHits: Counter;
  private readonly discoveryRequests: Counter;
  /** Its three children, resolved on first use: counted on every outbound request, a label-key string and map lookup each time was ~1% of an HTTP/1 hop's CPU (perf). */
  private readonly discoveryBySource: Partial<Record<DiscoverySource, CounterChild>> = {};

  /** `routeCostSampleEvery`: per-route bytes on, and CPU measured on 1 request in N; 0 (the default here): off. */
  constructor(opts: { routeCostSampleEvery?: number } = {}) {
    this.routeCost = new RouteCostSampler(opts.routeCostSampleEvery ?? 0);
    const r = this.registry;
    const routeLabels = ['direction', 'dst', 'rt_route'];
    this.routeRequestTotal = r.register(new Counter('route_request_total', 'Total requests per service-profile route', routeLabels));
    this.routeResponseTotal = r.register(
      new Counter('route_response_total', 'Total responses per service-profile route', [...routeLabels, 'status_code', 'classification']),
    );
    this.routeResponseLatency = r.register(
      new Histogram('route_response_latency_ms', 'Response latency per service-profile route, in milliseconds', [...routeLabels, 'status_code'], LATENCY_BUCKETS),
    );
    // Beyond Linkerd: what a route's requests cost (metrics/route-cost.ts says what is measured).
    this.routeRequestBytes = r.register(new Counter('route_request_bytes_total', 'Request body bytes forwarded per route', routeLabels));
    this.routeResponseBytes = r.register(new Counter('route_response_bytes_total', 'Response body bytes returned per route', routeLabels));
    this.routeCpuUs = r.register(new Counter('route_request_cpu_us_total', 'Proxy CPU microseconds measured on the sampled requests of a route', routeLabels));
    this.routeCpuSamples = r.register(new Counter('route_request_cpu_samples_total', 'Requests of a route whose CPU time was measured', routeLabels));
    this.requestTotal = r.register(new Counter('request_total', 'Total HTTP requests', HTTP_LABELS));
    this.responseTotal = r.register(new Counter('response_total', 'Total HTTP responses', [...HTTP_LABELS, 'status_code', 'classification', 'error']));
    this.responseLatency = r.register(
      new Histogram('response_latency_ms', 'HTTP response latency in milliseconds (request start to response end)', [...HTTP_LABELS, 'status_code'], LATENCY_BUCKETS),
    );
    this.tcpOpenTotal = r.register(new Counter('tcp_open_total', 'Total TCP connections opened', TCP_LABELS));
    this.tcpOpenConnections = r.register(new Gauge('tcp_open_connections', 'TCP connections currently open', TCP_LABELS));
    this.tcpReadBytes = r.register(new Counter('tcp_read_bytes_total', 'Bytes read from peers', TCP_LABELS));
    this.tcpWriteBytes = r.register(new Counter('tcp_write_bytes_total', 'Bytes written to peers', TCP_LABELS));
    this.limitHits = r.register(new Counter('proxy_limit_hits_total', 'Connections or requests a configured limit refused or closed', ['direction', 'limit']));
    this.discoveryRequests = r.register(new Counter('outbound_discovery_requests_total', 'Outbound HTTP requests by the discovery that chose their endpoint', ['source']));
    this.tcpCloseTotal = r.register(new Counter('tcp_close_total', 'Total TCP connections closed', [...TCP_LABELS, 'classification', 'errno']));
  }

  /** A RequestCost for a request that matched a route (put it on the HttpRoute), or undefined when off. */
  startRouteCost(): RequestCost | undefined {
    return this.routeCost.start();
  }

  /**
   * Per-route metrics (service profile or HTTPRoute routes), labelled rt_route as Linkerd's;
   * `cost`, when the request carried one, adds its bytes and sampled CPU time.
   */
  routeFinished(labels: RouteLabels, status: number, classification: Classification, latencyMs: number, cost?: RequestCost): void {
    this.routeRequestTotal.inc({ ...labels });
    this.routeResponseTotal.inc({ ...labels, status_code: String(status), classification });
    this.routeResponseLatency.observe({ ...labels, status_code: String(status) }, latencyMs);
    if (cost) this.routeCostFinished(labels, cost);
  }

  /** A routed request's bytes and sampled CPU time (ServiceProfile and HTTPRoute routes alike). */
  routeCostFinished(labels: RouteLabels, cost: RequestCost): void {
    // Zero increments still create the series, so a route's rows exist from its first request.
    this.routeRequestBytes.inc({ ...labels }, cost.requestBytes);
    this.routeResponseBytes.inc({ ...labels }, cost.responseBytes);
    if (cost.sampled) {
      this.routeCpuUs.inc({ ...labels }, cost.cpuUs);
      this.routeCpuSamples.inc({ ...labels });
    }
  }

  /** The series for a label set, created on first use and kept (the cache never drops one). */
  httpSeries(labels: HttpLabels): HttpSeries {
    const key = `${labels.direction}\0${labels.authority}\0${labels.target_addr}\0${labels.tls}\0${labels.no_tls_reason}\0${labels.client_id}\0${labels.server_id}`;
    let c = this.httpCache.get(key);
    if (!c) {
      const own = { ...labels };
      c = { labels: own, request: this.requestTotal.labels(own), responses: new Map(), latency: new Map() };
      this.httpCache.set(key, c);
    }
    return c;
  }

  requestStarted(series: HttpSeries): void {
    series.request.inc();
  }

  /** Records a response (or a proxy-generated error response) and its latency. */
  responseFinished(c: HttpSeries, status: number, classification: Classification, latencyMs: number, error = ''): void {
    const labels = c.labels;
    // Number keys for the common case: a key string built and hashed per response, twice, was
    // ~1% of an HTTP/1 hop's CPU (perf).
    const rk = error === '' ? status * 2 + (classification === 'failure' ? 1 : 0) : `${status}\0${classification}\0${error}`;
    let r = c.responses.get(rk);
    if (!r) {
      r = this.responseTotal.labels({ ...labels, status_code: String(status), classification, error });
      c.responses.set(rk, r);
    }
    r.inc();
    let h = c.latency.get(status);
    if (!h) {
      h = this.responseLatency.labels({ ...labels, status_code: String(status) });
      c.latency.set(status, h);
    }
    h.observe(latencyMs);
  }

  tcpOpened(labels: TcpLabels): void {
    this.tcpOpenTotal.inc({ ...labels });
    this.tcpOpenConnections.inc({ ...labels });
  }

  /** Adds bytes moved on a connection since the last call (live at scrapes, and at close). */
  tcpBytes(labels: TcpLabels, bytesRead: number, bytesWritten: number): void {
    if (bytesRead) this.tcpReadBytes.inc({ ...labels }, bytesRead);
    if (bytesWritten) this.tcpWriteBytes.inc({ ...labels }, bytesWritten);
  }

  tcpClosed(labels: TcpLabels, errno: string): void {
    this.tcpOpenConnections.dec({ ...labels });
    this.tcpCloseTotal.inc({ ...labels, classification: errno ? 'failure' : 'success', errno });
  }

  /** Which discovery served an outbound request (counted when DNS discovery is on). */
  discoveryServed(source: DiscoverySource): void {
    (this.discoveryBySource[source] ??= this.discoveryRequests.labels({ source })).inc();
  }

  /** A limit refused or closed something (reset flood, header size, slow client, ...). */
  limitHit(direction: 'inbound' | 'outbound', limit: string): void {
    this.limitHits.inc({ direction, limit });
  }

  /** Runs `fn` before every scrape. */
  beforeScrape(fn: () => void): void {
    this.registry.beforeScrape(fn);
  }

  /** Registers an extra metric (identity, balancer, ...) in this proxy's registry. */
  register<T extends AnyMetric>(metric: T): T {
    return this.registry.register(metric);
  }

  exposition(): Promise<string> {
    return this.registry.exposition();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** A response is a failure if the proxy failed it, the status is 5xx, or gRPC says so. */
export function classifyResponse(status: number, grpcStatus: string | undefined): Classification {
  if (status >= 500) return 'failure';
  if (grpcStatus !== undefined && grpcStatus !== '0') return 'failure';
  return 'success';
}
