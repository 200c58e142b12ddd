// The admin listener (4191): /metrics, /ready, /live, /shutdown, /proxy-log-level, /env.json,
// and /identity.json once the proxy holds an identity. /shutdown and log-level changes are
// accepted from loopback only, as Linkerd's admin does, since they change the proxy's state.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { http } from '../../lib/builtins.js';
import { isLogLevel, type Logger } from '../../lib/log.js';
import type { ProxyMetrics } from '../metrics/registry.js';

export interface AdminDeps {
  readonly metrics: ProxyMetrics;
  readonly log: Logger;
  readonly ready: () => boolean;
  readonly env: Record<string, string>;
  readonly shutdown: () => void;
  readonly identity?: () => unknown;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function fromLoopback(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
      if (s.length > limit) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

export function createAdminServer(deps: AdminDeps): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    switch (path) {
      case '/metrics':
        return send(res, 200, await deps.metrics.exposition(), deps.metrics.contentType);
      case '/ready':
        return deps.ready() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n');
      case '/live':
        return send(res, 200, 'live\n');
      case '/env.json':
        return send(res, 200, JSON.stringify(deps.env, null, 2) + '\n', 'application/json');
      case '/identity.json': {
        const id = deps.identity?.();
        return id ? send(res, 200, JSON.stringify(id, null, 2) + '\n', 'application/json') : send(res, 404, 'no identity\n');
      }
      case '/shutdown':
        if (method !== 'POST') return send(res, 405, 'use POST\n');
        if (!fromLoopback(req)) return send(res, 403, 'shutdown is only accepted from localhost\n');
        send(res, 200, 'shutdown\n');
        deps.shutdown();
        return;
      case '/proxy-log-level':
        if (method === 'GET') return send(res, 200, deps.log.level + '\n');
        if (method !== 'PUT' && method !== 'POST') return send(res, 405, 'use GET or PUT\n');
        if (!fromLoopback(req)) return send(res, 403, 'log level changes are only accepted from localhost\n');
        {
          const level = (await readBody(req, 64)).trim();
          if (!isLogLevel(level)) return send(res, 400, `invalid log level "${level}": expected error|warn|info|debug|trace\n`);
          deps.log.setLevel(level);
          return send(res, 200, level + '\n');
        }
      default:
        return send(res, 404, 'not found\n');
    }
  };
  return http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, `${err.message}\n`);
      else res.destroy();
    });
  });
}
