// Forwards one HTTP/1.x request upstream over a pooled keep-alive connection and streams the
// response back: hop-by-hop headers dropped, trailers and 1xx (100-continue) relayed, the
// upstream request cancelled when the client goes away. Failures before the response starts
// become proxy error responses (502 with weft-proxy-error); after that, the client connection
// is reset since the response can no longer be completed honestly.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError, type WeftError } from '../../lib/errors.js';
import { stripHopByHop, wantsTrailers } from './hop-by-hop.js';
import { errorResponse, headerSafe, PROXY_ERROR_HEADER } from './proxy-error.js';
import type { HttpRoute } from './route.js';

export type H1Handler = (req: IncomingMessage, res: ServerResponse, route: HttpRoute) => void;
export type H1Layer = (next: H1Handler) => H1Handler;

export interface H1ForwardOptions {
  readonly agent: http.Agent;
  readonly connectTimeoutMs: number;
}

/** Methods that carry no body, so a request that failed on a stale pooled socket can be resent. */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE']);

/** Sends the proxy's own error response, if the response has not started yet. */
export function sendProxyError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const e = errorResponse(err);
  const body = `${e.reason}\n`;
  res.writeHead(e.status, {
    [PROXY_ERROR_HEADER]: headerSafe(e.reason),
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function forwardH1(opts: H1ForwardOptions): H1Handler {
  return function forward(req, res, route) {
    const target = route.target;
    if (!target) {
      req.resume();
      sendProxyError(res, new NoDestinationError(`no destination for ${route.authority || 'request'}`));
      return;
    }
    const headers = stripHopByHop(req.headers);
    if (wantsTrailers(req.headers)) headers.te = 'trailers';
    // A chunked request body has no content-length; keep it chunked even for GET-like methods.
    if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';

    const send = (attempt: number): void => {
      const up = http.request({
        host: target.host,
        port: target.port,
        method: req.method,
        path: route.path,
        headers,
        agent: opts.agent,
        setHost: false,
      });
      let connectTimer: NodeJS.Timeout | undefined;
      up.on('socket', (s) => {
        if (s.connecting) {
          connectTimer = setTimeout(() => up.destroy(new UpstreamConnectError(formatAddress(target), {
            cause: new Error(`connect timeout ${opts.connectTimeoutMs} ms`),
          })), opts.connectTimeoutMs);
          s.once('connect', () => clearTimeout(connectTimer));
        }
      });
      up.on('information', (info) => {
        if (info.statusCode === 100) res.writeContinue();
        else if (info.statusCode === 103) res.writeEarlyHints(stripHopByHop(info.headers) as Record<string, string | string[]>);
      });
      up.on('response', (ur) => {
        clearTimeout(connectTimer);
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, stripHopByHop(ur.headers));
        ur.once('end', () => {
          if (ur.rawTrailers.length > 0) res.addTrailers(ur.trailers as Record<string, string>);
        });
        ur.on('aborted', () => res.destroy());
        ur.on('error', () => res.destroy());
        ur.pipe(res);
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        // A pooled keep-alive socket the upstream had already closed: resend once if safe.
        if (attempt === 0 && up.reusedSocket && err.code === 'ECONNRESET' && RESENDABLE.has(req.method ?? '') && req.readableEnded) {
          send(1);
          return;
        }
        const wrapped: WeftError | Error = err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(target), { cause: err });
        sendProxyError(res, wrapped);
      });
      res.once('close', () => {
        if (!res.writableFinished) up.destroy();
      });
      if (req.readableEnded) up.end();
      else req.pipe(up);
    };
    send(0);
  };
}
