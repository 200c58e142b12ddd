// The metrics API: a small HTTP/JSON service of the control plane that `weft viz` (and, later,
// the dashboard) call — like Linkerd's viz metrics-api, it answers from Prometheus. Requests
// are parsed here once (resource, namespace, window), errors leave as `{ error: { code,
// message } }` with a status, so the CLI reports them as weft errors. Also serves the control
// plane's own /metrics for Prometheus' weft-control job.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../../lib/address.js';
import { parseDuration, promDuration } from '../../lib/duration.js';
import { ConfigError, WeftError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { authz } from './authz.js';
import { edges } from './edges.js';
import type { Inventory } from './inventory.js';
import { PrometheusClient } from './prometheus-client.js';
import type { ResourceRef } from './resources.js';
import { parseResource } from './resources.js';
import { routes } from './routes.js';
import { stat } from './stat.js';

export class WindowTooShortError extends WeftError {
  constructor(window: string, scrapeMs: number) {
    super('WEFT_ERR_WINDOW_TOO_SHORT', `window ${window} is shorter than two of Prometheus' scrape intervals (${promDuration(scrapeMs)} each): a rate needs two samples; use at least ${promDuration(2 * scrapeMs)}`);
  }
}

export interface MetricsApiOptions {
  readonly listen: Address;
  readonly prometheusUrl: string;
  readonly scrapeIntervalMs: number;
  readonly inventory: Inventory;
  readonly log?: Logger | undefined;
}

export interface MetricsApi {
  readonly port: number;
  close(): Promise<void>;
}

const STATUS: Readonly<Record<string, number>> = {
  WEFT_ERR_UNKNOWN_RESOURCE: 404,
  WEFT_ERR_INVALID_DURATION: 400,
  WEFT_ERR_WINDOW_TOO_SHORT: 400,
  WEFT_ERR_CONFIG: 400,
  WEFT_ERR_PROMETHEUS_UNAVAILABLE: 503,
  WEFT_ERR_PROMETHEUS_QUERY: 502,
};

export const DEFAULT_WINDOW = '1m';

export async function startMetricsApi(o: MetricsApiOptions): Promise<MetricsApi> {
  const prom = new PrometheusClient(o.prometheusUrl);
  const query = (q: string): ReturnType<PrometheusClient['query']> => prom.query(q);
  const counts = new Map<string, number>();
  const started = Date.now() / 1000;

  const windowOf = (p: URLSearchParams): number => {
    const w = p.get('window') || DEFAULT_WINDOW;
    const ms = parseDuration(w, 'window');
    if (ms < 2 * o.scrapeIntervalMs) throw new WindowTooShortError(w, o.scrapeIntervalMs);
    return ms;
  };
  const ref = (p: URLSearchParams, k: string): ResourceRef | undefined => {
    const v = p.get(k);
    return v ? parseResource(v) : undefined;
  };
  const opt = (p: URLSearchParams, k: string): string | undefined => p.get(k) || undefined;

  const handle = async (path: string, p: URLSearchParams): Promise<unknown> => {
    switch (path) {
      case '/api/v1/stat':
        return stat(query, o.inventory, {
          resource: parseResource(p.get('resource') || 'deploy'), namespace: opt(p, 'namespace'), windowMs: windowOf(p),
          from: ref(p, 'from'), fromNamespace: opt(p, 'from_namespace'), to: ref(p, 'to'), toNamespace: opt(p, 'to_namespace'), wide: p.get('wide') === 'true',
        });
      case '/api/v1/edges': {
        const r = parseResource(p.get('resource') || 'deploy', undefined, ['deploy', 'pod', 'ns']);
        if (r.name !== undefined) throw new ConfigError('edges: give a resource type (deploy, pod, ns), not a name');
        return edges(query, o.inventory, { type: r.type, namespace: opt(p, 'namespace'), windowMs: windowOf(p) });
      }
      case '/api/v1/routes': {
        const r = p.get('resource');
        if (!r) throw new ConfigError('routes: name a Service or workload, e.g. svc/web or deploy/web');
        return routes(query, o.inventory, { resource: parseResource(r), namespace: opt(p, 'namespace'), windowMs: windowOf(p), to: ref(p, 'to'), toNamespace: opt(p, 'to_namespace') });
      }
      case '/api/v1/authz': {
        const r = p.get('resource');
        if (!r) throw new ConfigError('authz: name a workload, e.g. deploy/web');
        return authz(query, o.inventory, { resource: parseResource(r, undefined, ['deploy', 'pod', 'ns']), namespace: opt(p, 'namespace'), windowMs: windowOf(p) });
      }
      default:
        throw new WeftError('WEFT_ERR_NOT_FOUND', `no such API: ${path}`);
    }
  };

  const exposition = (): string => {
    const mem = process.memoryUsage().rss;
    const cpu = process.cpuUsage();
    const lines = [
      '# HELP metrics_api_requests_total Metrics API requests by path and status code.',
      '# TYPE metrics_api_requests_total counter',
      ...[...counts].map(([k, v]) => {
        const [path, code] = k.split(' ');
        return `metrics_api_requests_total{path="${path}",code="${code}"} ${v}`;
      }),
      '# TYPE process_start_time_seconds gauge', `process_start_time_seconds ${started}`,
      '# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${mem}`,
      '# TYPE process_cpu_seconds_total counter', `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    ];
    return lines.join('\n') + '\n';
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metrics-api');
    const send = (status: number, body: string, type = 'application/json'): void => {
      counts.set(`${url.pathname} ${status}`, (counts.get(`${url.pathname} ${status}`) ?? 0) + 1);
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, JSON.stringify({ error: { code: 'WEFT_ERR_METHOD', message: 'GET only' } }) + '\n');
    if (url.pathname === '/ready') return send(200, 'ok\n', 'text/plain');
    if (url.pathname === '/metrics') return send(200, exposition(), 'text/plain; version=0.0.4');
    handle(url.pathname, url.searchParams).then(
      (body) => send(200, JSON.stringify(body) + '\n'),
      (err: unknown) => {
        const code = err instanceof WeftError ? err.code : 'WEFT_ERR_INTERNAL';
        if (!(err instanceof WeftError)) o.log?.error('metrics API request failed', { path: url.pathname, err: err as Error });
        send(STATUS[code] ?? (code === 'WEFT_ERR_NOT_FOUND' ? 404 : 500), JSON.stringify({ error: { code, message: (err as Error).message } }) + '\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.log?.info('metrics API listening', { port, prometheus: o.prometheusUrl });
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
