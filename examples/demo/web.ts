// `web`: the demo's HTTP/1.1 frontend. Serves the page (web-page.ts) and a JSON API that calls
// `catalog` over HTTP/1.1 and `voting` over gRPC:
//   GET  /api/items             -> catalog GET /items
//   GET  /api/items/:id         -> catalog GET /items/:id
//   POST /api/vote/:id          -> catalog GET /items/:id, then voting Vote  (500 when the vote fails)
//   GET  /api/results           -> voting Results, joined with the catalog's names
//   GET  /api/results/stream    -> voting WatchResults as server-sent events
//   GET  /healthz
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../src/lib/log.js';
import { WeftError } from '../../src/lib/errors.js';
import type { WebConfig } from './config.js';
import { DemoNotFoundError, DemoTimeoutError, DemoUpstreamError } from './errors.js';
import { JsonHttpClient } from './http-client.js';
import { ITEM_ID } from './items.js';
import type { Item } from './items.js';
import { closeServer, listen, sendError, sendJson } from './serve.js';
import type { Running } from './serve.js';
import { VotingApi } from './voting-client.js';
import type { ResultsResponse } from './voting-proto.js';
import { PAGE } from './web-page.js';

export interface ItemResult extends Item {
  readonly votes: number;
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && 'code' in err && typeof err.code === 'number' && 'metadata' in err;
}

/** The one place errors become HTTP statuses. */
export function statusOf(err: unknown): number {
  if (err instanceof DemoNotFoundError) return 404;
  if (err instanceof DemoTimeoutError) return 504;
  if (err instanceof DemoUpstreamError) return 502;
  if (isServiceError(err)) {
    switch (err.code) {
      case grpc.status.INVALID_ARGUMENT: return 400;
      case grpc.status.NOT_FOUND: return 404;
      case grpc.status.DEADLINE_EXCEEDED: return 504;
      case grpc.status.UNAVAILABLE: return 503;
      default: return 500;
    }
  }
  return 500;
}

function messageOf(err: unknown): string {
  if (isServiceError(err)) return `voting: ${grpc.status[err.code] ?? err.code}: ${err.details}`;
  if (err instanceof WeftError) return err.message;
  return 'internal error';
}

/** Catalog calls, with the catalog's answers checked before they are trusted. */
class Catalog {
  constructor(private readonly http: JsonHttpClient, private readonly timeoutMs: number) {}

  async items(): Promise<Item[]> {
    const r = await this.http.call('/items', { timeoutMs: this.timeoutMs });
    const items = (r.body as { items?: unknown } | undefined)?.items;
    if (r.status !== 200 || !Array.isArray(items)) throw new DemoUpstreamError('catalog', r.status, `GET /items answered ${r.status}`);
    return items as Item[];
  }

  async item(id: string): Promise<Item> {
    if (!ITEM_ID.test(id)) throw new DemoNotFoundError(`item "${id}"`);
    const r = await this.http.call(`/items/${encodeURIComponent(id)}`, { timeoutMs: this.timeoutMs });
    if (r.status === 404) throw new DemoNotFoundError(`item "${id}"`);
    if (r.status !== 200 || typeof r.body !== 'object' || r.body === null) {
      throw new DemoUpstreamError('catalog', r.status, `GET /items/${id} answered ${r.status}`);
    }
    return r.body as Item;
  }
}

/** Every catalog item with its votes (0 when none), plus tallied ids the catalog lacks. */
export function joinResults(items: readonly Item[], tally: ResultsResponse): ItemResult[] {
  const votes = new Map(tally.results.map((t) => [t.itemId, t.votes]));
  const out: ItemResult[] = items.map((i) => ({ ...i, votes: votes.get(i.id) ?? 0 }));
  for (const t of tally.results) {
    if (!items.some((i) => i.id === t.itemId)) out.push({ id: t.itemId, name: t.itemId, emoji: '', votes: t.votes });
  }
  return out.sort((a, b) => b.votes - a.votes);
}

export async function startWeb(cfg: WebConfig, log: Logger): Promise<Running> {
  const http = new JsonHttpClient('catalog', cfg.catalog, cfg.http);
  const catalog = new Catalog(http, cfg.timeoutMs);
  const voting = new VotingApi(cfg.voting, cfg.grpc, cfg.timeoutMs);
  const streams = new Set<ServerResponse>();

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (path === '/api/items' && method === 'GET') {
      sendJson(res, 200, { items: await catalog.items() });
    } else if ((m = /^\/api\/items\/([^/]+)$/.exec(path)) && method === 'GET') {
      sendJson(res, 200, await catalog.item(decodeURIComponent(m[1] as string)));
    } else if ((m = /^\/api\/vote\/([^/]+)$/.exec(path))) {
      if (method !== 'POST') {
        sendError(res, 405, 'vote with POST');
        return;
      }
      const item = await catalog.item(decodeURIComponent(m[1] as string));
      const r = await voting.vote(item.id);
      sendJson(res, 200, { item: item.id, votes: r.votes });
    } else if (path === '/api/results' && method === 'GET') {
      const [items, tally] = await Promise.all([catalog.items(), voting.results()]);
      sendJson(res, 200, { results: joinResults(items, tally) });
    } else if (path === '/api/results/stream' && method === 'GET') {
      await streamResults(req, res);
    } else {
      sendError(res, 404, `no route for ${method} ${path}`);
    }
  }

  async function streamResults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let gone = false;
    res.once('close', () => { gone = true; });
    const items = await catalog.items();
    // The viewer may have left while the catalog answered: then open no stream at all.
    if (gone) return;
    // connection: close, so ending the stream on shutdown also frees its socket.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'close' });
    streams.add(res);
    const call = voting.watchResults();
    call.on('data', (tally: ResultsResponse) => {
      res.write(`data: ${JSON.stringify({ results: joinResults(items, tally) })}\n\n`);
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) log.warn('results stream ended', { error: messageOf(err) });
      res.end();
    });
    call.on('end', () => res.end());
    res.on('close', () => {
      streams.delete(res);
      call.cancel();
    });
    req.resume();
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PAGE) });
      res.end(PAGE);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    api(req, res, path).catch((err: unknown) => {
      const status = statusOf(err);
      if (status >= 500) log.warn('request failed', { method: req.method, path, status, error: messageOf(err) });
      if (res.headersSent) res.end();
      else sendError(res, status, messageOf(err));
    });
  });
  const address = await listen(server, cfg.listen);
  return {
    address,
    close: async () => {
      for (const s of streams) s.end();
      await closeServer(server);
      voting.close();
      http.close();
    },
  };
}
