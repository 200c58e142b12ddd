// The web component: serves the dashboard (one HTML page, its stylesheet and browser modules
// compiled from ui/) and a small read-only API over the metrics API — JSON snapshots, a
// server-sent-events feed that pushes them as they change, and tap as a second SSE stream when
// a tap source is wired in. GET only; bound to loopback unless told otherwise.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../lib/address.js';
import { WeftError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { MetricsApiClient } from '../control/metrics/client.js';
import type { ApiError } from './api-types.js';
import type { HealthTargets } from './health.js';
import { checkHealth } from './health.js';
import type { FeedEvent } from './live-feed.js';
import { asApiError, LiveFeed } from './live-feed.js';
import { PAGE_HTML, PAGE_CSS } from './page.js';
import type { TapSource } from './tap-source.js';
import { parseTapFilter, TapUnavailableError } from './tap-source.js';
import { workloadDetail } from './views.js';

export interface WebServerOptions {
  readonly listen: Address;
  /** host:port of the metrics API. */
  readonly metricsApiAddr: string;
  readonly health: HealthTargets;
  /** The stat window the dashboard shows (default 1m). */
  readonly window?: string;
  /** How often open pages are updated (default 5 s). */
  readonly refreshMs?: number;
  readonly tap?: TapSource | undefined;
  readonly log?: Logger | undefined;
}

export interface WebServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const UI_DIR = new URL('./ui/', import.meta.url);
const UI_FILE = /^\/ui\/([a-z-]+\.js)$/;

const STATUS: Readonly<Record<string, number>> = {
  WEFT_ERR_CONFIG: 400, WEFT_ERR_UNKNOWN_RESOURCE: 404, WEFT_ERR_NOT_FOUND: 404, WEFT_ERR_TAP_UNAVAILABLE: 501,
  WEFT_ERR_PROMETHEUS_UNAVAILABLE: 503, WEFT_ERR_METRICS_API_UNAVAILABLE: 503, WEFT_ERR_PROMETHEUS_QUERY: 502,
};

// The page loads nothing from elsewhere (it must work offline): say so to the browser too.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const api = new MetricsApiClient(o.metricsApiAddr, 15_000);
  const window = o.window ?? '1m';
  const refreshMs = o.refreshMs ?? 5000;
  const feed = new LiveFeed({ api, window, refreshMs, health: () => checkHealth(o.health), log: o.log });
  const streams = new Set<http.ServerResponse>();

  const sendJson = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...SECURITY_HEADERS });
    res.end(JSON.stringify(body) + '\n');
  };
  const sendError = (res: http.ServerResponse, err: unknown): void => {
    const e = asApiError(err);
    if (!(err instanceof WeftError)) o.log?.error('dashboard request failed', { err: err as Error });
    sendJson(res, STATUS[e.code] ?? 500, { error: e } satisfies ApiError);
  };
  const openStream = (req: http.IncomingMessage, res: http.ServerResponse): ((event: string, data: unknown) => void) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...SECURITY_HEADERS });
    res.write(`retry: ${Math.min(refreshMs, 3000)}\n\n`);
    streams.add(res);
    // A comment line now and then keeps idle proxies from closing a quiet stream.
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), 15_000);
    req.once('close', () => (clearInterval(keepalive), streams.delete(res)));
    return (event, data) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  const events = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const send = openStream(req, res);
    send('info', { window, refreshMs, tap: o.tap !== undefined });
    const off = feed.subscribe((e: FeedEvent) => send(e.type, e.data));
    req.once('close', off);
  };

  const tap = (req: http.IncomingMessage, res: http.ServerResponse, p: URLSearchParams): void => {
    if (!o.tap) return sendError(res, new TapUnavailableError());
    const filter = parseTapFilter(p);
    const ac = new AbortController();
    const send = openStream(req, res);
    req.once('close', () => ac.abort());
    void (async () => {
      try {
        for await (const ev of (o.tap as TapSource).tap(filter, ac.signal)) send('tap', ev);
      } catch (err) {
        if (!ac.signal.aborted) send('problem', asApiError(err));
      }
      res.end();
    })();
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
      return void res.end(PAGE_HTML);
    }
    if (path === '/style.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', ...SECURITY_HEADERS });
      return void res.end(PAGE_CSS);
    }
    const ui = UI_FILE.exec(path);
    if (ui) {
      const body = await readFile(new URL(ui[1] as string, UI_DIR)).catch(() => undefined);
      if (!body) return sendError(res, new WeftError('WEFT_ERR_NOT_FOUND', `no such asset: ${path} (is the dashboard built? npm run build)`));
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...SECURITY_HEADERS });
      return void res.end(body);
    }
    if (path === '/ready') return void res.end('ok\n');
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/api/events') return events(req, res);
    if (path === '/api/tap') return tap(req, res, url.searchParams);
    if (path === '/api/overview' || path === '/api/topology' || path === '/api/health') {
      const e = await feed.current(path.slice(5) as 'overview' | 'topology' | 'health');
      return e.type === 'problem' ? sendJson(res, STATUS[e.data.code] ?? 500, { error: e.data }) : sendJson(res, 200, e.data);
    }
    if (path === '/api/workload') {
      const p = url.searchParams;
      return sendJson(res, 200, await workloadDetail(api, window, p.get('namespace') ?? '', p.get('name') ?? '', feed.history));
    }
    throw new WeftError('WEFT_ERR_NOT_FOUND', `no such page or API: ${path}`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    // Read-only: the dashboard changes nothing in the mesh.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: { code: 'WEFT_ERR_METHOD', message: 'the dashboard is read-only: GET only' } });
    }
    route(req, res, url).catch((err: unknown) => (res.headersSent ? res.destroy() : sendError(res, err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}/`;
  o.log?.info('dashboard listening', { url, metricsApi: o.metricsApiAddr });
  return {
    port, url,
    close: async () => {
      feed.close();
      for (const s of streams) s.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
