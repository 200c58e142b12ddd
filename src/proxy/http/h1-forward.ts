// Forwards one HTTP/1.x request upstream over a pooled keep-alive connection and streams the
// response back: hop-by-hop headers dropped, trailers and 1xx (100-continue) relayed, the
// upstream request cancelled when the client goes away. Each attempt takes an endpoint from
// the route (a balancer pick) and reports the outcome; a bodiless request whose response the
// route says to retry is sent again (within its budget). Failures before the response starts
// become proxy error responses (502/503/504 with weft-proxy-error); after that, the client
// connection is reset since the response can no longer be completed honestly.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError } from '../../lib/errors.js';
import { stripHopByHop, wantsTrailers } from './hop-by-hop.js';
import { errorResponse, headerSafe, PROXY_ERROR_HEADER } from './proxy-error.js';
import { pickEndpoint, type HttpRoute, type PickedEndpoint } from './route.js';
import type { MeshAgent, MeshRequestOptions } from '../mesh/connector.js';

export type H1Handler = (req: IncomingMessage, res: ServerResponse, route: HttpRoute) => void;
export type H1Layer = (next: H1Handler) => H1Handler;

export interface H1ForwardOptions {
  readonly agent: http.Agent;
  /** Agent for meshed targets (mTLS); absent when this proxy has no identity. */
  readonly meshAgent?: MeshAgent | undefined;
  readonly connectTimeoutMs: number;
}

/** Methods that carry no body, so a request can be sent again (stale pooled socket, retry). */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE']);

/** Whether a request has no body to lose, so it may be sent again on another attempt. */
export function canResend(req: IncomingMessage): boolean {
  return RESENDABLE.has(req.method ?? '') && !req.headers['transfer-encoding'] && !Number(req.headers['content-length'] ?? 0);
}
const MAX_ATTEMPTS = 2;

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
    const headers = stripHopByHop(req.headers);
    if (wantsTrailers(req.headers)) headers.te = 'trailers';
    // A chunked request body has no content-length; keep it chunked even for GET-like methods.
    if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
    const resendable = canResend(req);

    const fail = (err: unknown): void => {
      req.resume();
      sendProxyError(res, route.signal?.aborted ? route.signal.reason : err);
    };

    const send = (attempt: number): void => {
      let ep: PickedEndpoint | undefined;
      try {
        ep = pickEndpoint(route);
      } catch (err) {
        fail(err);
        return;
      }
      if (!ep) {
        fail(new NoDestinationError(`no destination for ${route.authority || 'request'}`));
        return;
      }
      const { target, identity } = ep;
      const endpoint = ep;
      if (identity && !opts.meshAgent) {
        endpoint.done(false);
        fail(new UpstreamConnectError(formatAddress(target), { cause: new Error('meshed target but this proxy has no identity') }));
        return;
      }
      const canRetry = (status: number): boolean => attempt + 1 < MAX_ATTEMPTS && resendable && req.readableEnded && !res.headersSent && !!route.retry?.(status);
      const options: MeshRequestOptions = {
        host: target.host,
        port: target.port,
        method: req.method,
        path: route.path,
        headers,
        agent: identity ? opts.meshAgent : opts.agent,
        setHost: false,
        weftIdentity: identity,
        ...(route.signal ? { signal: route.signal } : {}),
      };
      const up = http.request(options);
      current = up;
      let connectTimer: NodeJS.Timeout | undefined;
      let connected = false;
      up.on('socket', (s) => {
        if (s.connecting) {
          connectTimer = setTimeout(() => up.destroy(new UpstreamConnectError(formatAddress(target), {
            cause: new Error(`connect timeout ${opts.connectTimeoutMs} ms`),
          })), opts.connectTimeoutMs);
          s.once('connect', () => {
            connected = true;
            clearTimeout(connectTimer);
          });
        } else connected = true;
      });
      up.on('information', (info) => {
        if (info.statusCode === 100) res.writeContinue();
        else if (info.statusCode === 103) res.writeEarlyHints(stripHopByHop(info.headers) as Record<string, string | string[]>);
      });
      up.on('response', (ur) => {
        clearTimeout(connectTimer);
        const status = ur.statusCode ?? 502;
        if (canRetry(status)) {
          endpoint.done(false);
          ur.resume();
          send(attempt + 1);
          return;
        }
        res.writeHead(status, ur.statusMessage, stripHopByHop(ur.headers));
        ur.once('end', () => {
          if (ur.rawTrailers.length > 0) res.addTrailers(ur.trailers as Record<string, string>);
        });
        ur.on('aborted', () => res.destroy());
        ur.on('error', () => res.destroy());
        res.once('close', () => endpoint.done(res.writableFinished && status < 500));
        ur.pipe(res);
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        endpoint.done(false);
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        // A pooled keep-alive socket the upstream had already closed: resend once if safe.
        const stale = up.reusedSocket && err.code === 'ECONNRESET';
        // Never connected (refused, connect timeout): the request did not leave, and the
        // balancer can pick another endpoint, as Linkerd's would not have picked this one. No
        // retry budget is spent: this adds no load to the destination.
        const unsent = !connected && !!route.pick;
        if (!route.signal?.aborted && attempt + 1 < MAX_ATTEMPTS && resendable && req.readableEnded && (stale || unsent || canRetry(502))) {
          send(attempt + 1);
          return;
        }
        fail(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(target), { cause: err }));
      });
      if (req.readableEnded) up.end();
      else req.pipe(up);
    };
    let current: http.ClientRequest | undefined;
    res.once('close', () => {
      if (!res.writableFinished) current?.destroy();
    });
    send(0);
  };
}
