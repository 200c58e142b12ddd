// The tap API: `GET /api/v1/tap?resource=deploy/web&namespace=default` (+ to, to_namespace,
// method, path, authority, max_rps, limit, headers=true) streams newline-delimited JSON until
// every proxy's stream ends or the client goes away:
//   {"started":{"pods":["default/web-0",...]}}   first, naming the proxies observed
//   {"event":{...TapEventJson}}                  one per tap event
//   {"proxyError":{"pod":"ns/name","message":"..."}}  a proxy that could not be observed
// Errors before the stream starts are `{ "error": { code, message } }` with a status (404 for
// an unknown resource, naming the ones that exist; 400 for a bad filter), like the metrics API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Address } from '../../lib/address.js';
import { ConfigError, WeftError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { formatSpiffe, workloadId } from '../../lib/spiffe.js';
import type { Inventory } from '../metrics/inventory.js';
import { parseResource, resolve } from '../metrics/resources.js';
import { fanout } from './fanout.js';
import { observeMatch } from './filters.js';
import { withResources } from './resources.js';

export interface TapApiOptions {
  readonly listen: Address;
  readonly inventory: Inventory;
  /** The tap identity's current TLS context; throws until it has a certificate. */
  readonly tls: () => SecureContext;
  readonly log?: Logger | undefined;
}

export interface TapApi {
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_RPS = 100;
/** Requests each proxy observes before its stream ends (Observe needs a limit). */
export const DEFAULT_PROXY_LIMIT = 100_000;

const STATUS: Readonly<Record<string, number>> = { WEFT_ERR_UNKNOWN_RESOURCE: 404, WEFT_ERR_CONFIG: 400, WEFT_ERR_NOT_FOUND: 404, WEFT_ERR_TAP_NOT_READY: 503 };

function positive(p: URLSearchParams, k: string, dflt: number): number {
  const raw = p.get(k);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${k}=${raw}: expected a positive number`);
  return n;
}

export async function startTapApi(o: TapApiOptions): Promise<TapApi> {
  const active = new Set<() => void>();

  const start = async (p: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const resource = p.get('resource');
    if (!resource) throw new ConfigError('tap: name a resource, e.g. deploy/web, ns/default, svc/catalog, pod/web-0');
    const ref = parseResource(resource);
    const namespace = p.get('namespace') || undefined;
    const inv = await o.inventory.snapshot();
    const pods = resolve(inv, ref, namespace).flatMap((r) => r.pods).filter((x) => x.meshed);
    const to = p.get('to');
    const match = observeMatch({
      method: p.get('method') || undefined, path: p.get('path') || undefined, authority: p.get('authority') || undefined,
      to: to ? parseResource(to) : undefined, toNamespace: p.get('to_namespace') || undefined,
    }, inv, namespace);
    const maxRps = positive(p, 'max_rps', DEFAULT_MAX_RPS);
    const limit = Math.floor(positive(p, 'limit', DEFAULT_PROXY_LIMIT));
    let tls: SecureContext;
    try {
      tls = o.tls();
    } catch (err) {
      throw new WeftError('WEFT_ERR_TAP_NOT_READY', 'the tap component has no certificate yet; try again in a moment', { cause: err });
    }
    const unique = [...new Map(pods.map((x) => [`${x.namespace}/${x.name}`, x])).values()];
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.write(JSON.stringify({ started: { pods: unique.map((x) => `${x.namespace}/${x.name}`) } }) + '\n');
    // Authorities by request id, to name the destination of an outbound request's later events.
    const authorities = new Map<string, string | undefined>();
    const named = (e: Parameters<typeof withResources>[1]): typeof e => {
      if (e.type === 'requestInit') {
        // Ends dropped on the way (a slow reader) would leave entries: keep the map bounded.
        if (authorities.size >= 10_000) authorities.clear();
        authorities.set(e.id, e.authority);
      }
      const out = withResources(inv, e, authorities.get(e.id));
      if (e.type === 'responseEnd') authorities.delete(e.id);
      return out;
    };
    const f = fanout({
      pods: unique,
      identityOf: (x) => formatSpiffe(workloadId(x.namespace, x.serviceAccount, inv.trustDomain)),
      tls: () => tls,
      request: { limit, ...(match ? { match } : {}), ...(p.get('headers') === 'true' ? { extract: { http: { headers: {} } } } : {}) },
      maxRps,
      // A client that does not keep up loses events (write() false: its buffer is full).
      send: (e) => (res.writableNeedDrain ? false : (res.write(JSON.stringify({ event: named(e) }) + '\n'), true)),
      proxyError: (x, message) => void res.write(JSON.stringify({ proxyError: { pod: `${x.namespace}/${x.name}`, message } }) + '\n'),
      done: () => res.end(),
    });
    const stop = (): void => f.close();
    active.add(stop);
    req.on('close', () => {
      active.delete(stop);
      f.close();
    });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tap');
    const fail = (err: unknown): void => {
      const code = err instanceof WeftError ? err.code : 'WEFT_ERR_INTERNAL';
      if (!(err instanceof WeftError)) o.log?.error('tap request failed', { err: err as Error });
      if (res.headersSent) return void res.end();
      res.writeHead(STATUS[code] ?? 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code, message: (err as Error).message } }) + '\n');
    };
    if (url.pathname === '/ready') return void res.end('ok\n');
    if (req.method !== 'GET' || url.pathname !== '/api/v1/tap') return fail(new WeftError('WEFT_ERR_NOT_FOUND', `no such API: ${req.method} ${url.pathname}`));
    start(url.searchParams, req, res).catch(fail);
  });
  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(o.listen.port, o.listen.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  o.log?.info('tap API listening', { port });
  return {
    port,
    close: () =>
      new Promise((r) => {
        for (const stop of active) stop();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
