// The proxy's Prometheus metrics, named as Linkerd's proxy names them so existing dashboards
// and queries make sense. One Registry per proxy instance (tests run several in a process).
// Labelled children are cached by label values: prom-client hashes the label object on every
// inc(), and a per-request hash is measurable on the proxy's hot path.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

interface HttpChildren {
  request: ReturnType<Counter<string>['labels']>;
  responses: Map<string, ReturnType<Counter<string>['labels']>>;
  latency: Map<string, ReturnType<Histogram<string>['labels']>>;
}

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requestTotal: Counter<string>;
  private readonly responseTotal: Counter<string>;
  private readonly responseLatency: Histogram<string>;
  private readonly tcpOpenTotal: Counter<string>;
  private readonly tcpOpenConnections: Gauge<string>;
  private readonly tcpReadBytes: Counter<string>;
  private readonly tcpWriteBytes: Counter<string>;
  private readonly tcpCloseTotal: Counter<string>;
  private readonly httpCache = new Map<string, HttpChildren>();
  private readonly routeRequestTotal: Counter<string>;
  private readonly routeResponseTotal: Counter<string>;
  private readonly routeResponseLatency: Histogram<string>;

  constructor() {
    const registers = [this.registry];
    const routeLabels = ['direction', 'dst', 'rt_route'];
    this.routeRequestTotal = new Counter({ name: 'route_request_total', help: 'Total requests per service-profile route', labelNames: routeLabels, registers });
    this.routeResponseTotal = new Counter({
      name: 'route_response_total',
      help: 'Total responses per service-profile route',
      labelNames: [...routeLabels, 'status_code', 'classification'],
      registers,
    });
    this.routeResponseLatency = new Histogram({
      name: 'route_response_latency_ms',
      help: 'Response latency per service-profile route, in milliseconds',
      labelNames: [...routeLabels, 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.requestTotal = new Counter({ name: 'request_total', help: 'Total HTTP requests', labelNames: HTTP_LABELS, registers });
    this.responseTotal = new Counter({
      name: 'response_total',
      help: 'Total HTTP responses',
      labelNames: [...HTTP_LABELS, 'status_code', 'classification', 'error'],
      registers,
    });
    this.responseLatency = new Histogram({
      name: 'response_latency_ms',
      help: 'HTTP response latency in milliseconds (request start to response headers)',
      labelNames: [...HTTP_LABELS, 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tcpOpenTotal = new Counter({ name: 'tcp_open_total', help: 'Total TCP connections opened', labelNames: TCP_LABELS, registers });
    this.tcpOpenConnections = new Gauge({ name: 'tcp_open_connections', help: 'TCP connections currently open', labelNames: TCP_LABELS, registers });
    this.tcpReadBytes = new Counter({ name: 'tcp_read_bytes_total', help: 'Bytes read from peers', labelNames: TCP_LABELS, registers });
    this.tcpWriteBytes = new Counter({ name: 'tcp_write_bytes_total', help: 'Bytes written to peers', labelNames: TCP_LABELS, registers });
    this.tcpCloseTotal = new Counter({
      name: 'tcp_close_total',
      help: 'Total TCP connections closed',
      labelNames: [...TCP_LABELS, 'classification', 'errno'],
      registers,
    });
  }

  /** Per-route metrics (service profile routes), labelled rt_route as Linkerd's. */
  routeFinished(labels: RouteLabels, status: number, classification: Classification, latencyMs: number): void {
    this.routeRequestTotal.inc({ ...labels });
    this.routeResponseTotal.inc({ ...labels, status_code: String(status), classification });
    this.routeResponseLatency.observe({ ...labels, status_code: String(status) }, latencyMs);
  }

  private http(labels: HttpLabels): HttpChildren {
    const key = `${labels.direction}\0${labels.authority}\0${labels.target_addr}\0${labels.tls}\0${labels.no_tls_reason}\0${labels.client_id}\0${labels.server_id}`;
    let c = this.httpCache.get(key);
    if (!c) {
      c = { request: this.requestTotal.labels({ ...labels }), responses: new Map(), latency: new Map() };
      this.httpCache.set(key, c);
    }
    return c;
  }

  requestStarted(labels: HttpLabels): void {
    this.http(labels).request.inc();
  }

  /** Records a response (or a proxy-generated error response) and its latency. */
  responseFinished(labels: HttpLabels, status: number, classification: Classification, latencyMs: number, error = ''): void {
    const c = this.http(labels);
    const rk = `${status}\0${classification}\0${error}`;
    let r = c.responses.get(rk);
    if (!r) {
      r = this.responseTotal.labels({ ...labels, status_code: String(status), classification, error });
      c.responses.set(rk, r);
    }
    r.inc();
    const lk = String(status);
    let h = c.latency.get(lk);
    if (!h) {
      h = this.responseLatency.labels({ ...labels, status_code: lk });
      c.latency.set(lk, h);
    }
    h.observe(latencyMs);
  }

  tcpOpened(labels: TcpLabels): void {
    this.tcpOpenTotal.inc({ ...labels });
    this.tcpOpenConnections.inc({ ...labels });
  }

  tcpClosed(labels: TcpLabels, bytesRead: number, bytesWritten: number, errno: string): void {
    this.tcpOpenConnections.dec({ ...labels });
    if (bytesRead) this.tcpReadBytes.inc({ ...labels }, bytesRead);
    if (bytesWritten) this.tcpWriteBytes.inc({ ...labels }, bytesWritten);
    this.tcpCloseTotal.inc({ ...labels, classification: errno ? 'failure' : 'success', errno });
  }

  /** Registers an extra metric (identity, balancer, ...) in this proxy's registry. */
  register<T extends Counter<string> | Gauge<string> | Histogram<string>>(metric: T): T {
    this.registry.registerMetric(metric);
    return metric;
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
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
