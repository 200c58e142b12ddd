// `catalog`: an HTTP/1.1 JSON service listing the items people vote on.
//   GET /items      -> { items: Item[] }
//   GET /items/:id  -> Item, or 404 { error }
//   GET /healthz    -> ok
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../src/lib/log.js';
import type { CatalogConfig } from './config.js';
import { ITEMS, ITEM_ID } from './items.js';
import type { Item } from './items.js';
import { closeServer, listen, sendError, sendJson } from './serve.js';
import type { Running } from './serve.js';

export function catalogHandler(items: readonly Item[] = ITEMS): (req: IncomingMessage, res: ServerResponse) => void {
  const byId = new Map(items.map((i) => [i.id, i]));
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, `method ${req.method ?? ''} not allowed`);
      return;
    }
    if (path === '/items') {
      sendJson(res, 200, { items });
      return;
    }
    const m = /^\/items\/([^/]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1] as string);
      const item = ITEM_ID.test(id) ? byId.get(id) : undefined;
      if (item) sendJson(res, 200, item);
      else sendError(res, 404, `no item "${id}"`);
      return;
    }
    sendError(res, 404, `no route for ${path}`);
  };
}

export async function startCatalog(cfg: CatalogConfig, log: Logger): Promise<Running> {
  const handler = catalogHandler();
  const server = createServer((req, res) => {
    handler(req, res);
    res.on('finish', () => log.debug('request', { method: req.method, path: req.url, status: res.statusCode }));
  });
  const address = await listen(server, cfg.listen);
  return { address, close: () => closeServer(server) };
}
