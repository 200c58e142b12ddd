// Forwards one HTTP/1.x request upstream over a pooled keep-alive connection (the proxy's own
// HTTP/1 engine, http/h1/) and streams the response back. Heads are rewritten (hop-by-hop
// fields dropped, framing restated); bodies go byte for byte as they arrived — chunk framing,
// trailers and all — unless the client is HTTP/1.0 and the response chunked (then decoded and
// close-delimited). 1xx responses (100 Continue, 103) are relayed. Each attempt takes an
// endpoint from the route (a balancer pick) and reports the outcome; a bodiless request whose
// response the route says to retry, or whose pooled connection turned out to be closed, is
// sent again. Failures before the response starts become proxy error responses (502/503/504
// with weft-proxy-error); after that, the client connection is cut, since the response can no
// longer be completed honestly.
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError } from '../../lib/errors.js';
import type { Framing } from './h1/head.js';
import { endToEnd, getHeader, headerLines, wantsTrailersFlat } from './h1/headers.js';
import type { H1Pool } from './h1/pool.js';
import type { H1Request } from './h1/request.js';
import type { H1Response } from './h1/response.js';
import type { BodyMode, Exchange, UpstreamConnection } from './h1/upstream.js';
import { errorResponse } from './proxy-error.js';
import { pickEndpoint, type HttpRoute, type PickedEndpoint } from './route.js';

export type H1Handler = (req: H1Request, res: H1Response, route: HttpRoute) => void;
export type H1Layer = (next: H1Handler) => H1Handler;

/** Methods that carry no body, so a request can be sent again (stale pooled socket, retry). */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE']);
const MAX_ATTEMPTS = 2;

/** Whether a request has no body to lose, so it may be sent again on another attempt. */
export function canResend(req: H1Request): boolean {
  return RESENDABLE.has(req.method) && req.framing.kind === 'none';
}

const STATUS_TEXT: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 431: 'Request Header Fields Too Large' };

/** Sends the proxy's own error response, or cuts the connection if the response has started. */
export function sendProxyError(res: H1Response, err: unknown): void {
  if (res.headersSent) return res.destroy();
  const e = errorResponse(err);
  res.respondError(e.status, STATUS_TEXT[e.status] ?? 'Error', e.reason);
}

/** The request line and head for the next hop, with the body's framing restated. */
export function requestHead(req: H1Request, path: string, authority: string): string {
  const headers = endToEnd(req.headers, req.head.connection);
  let head = `${req.method} ${path} HTTP/1.1\r\n`;
  if (req.head.host === undefined && authority) head += `host: ${authority}\r\n`;
  head += headerLines(headers);
  if (wantsTrailersFlat(req.headers)) head += 'te: trailers\r\n';
  if (req.framing.kind === 'length') head += `content-length: ${req.framing.length}\r\n`;
  else if (req.framing.kind === 'chunked') head += 'transfer-encoding: chunked\r\n';
  return head + '\r\n';
}

/** How the response is delimited towards this client, and whether its bytes pass as they are. */
function downstreamFraming(res: H1Response, upstream: Framing): { framing: Framing; mode: BodyMode } {
  if (upstream.kind === 'chunked' && res.clientMinor === 0) return { framing: { kind: 'close' }, mode: 'payload' };
  return { framing: upstream, mode: 'raw' };
}

export function forwardH1(pool: H1Pool): H1Handler {
  return function forward(req, res, route) {
    const head = requestHead(req, route.path, route.authority);
    const resendable = canResend(req);
    let exchange: Exchange | undefined;
    const fail = (err: unknown): void => sendProxyError(res, route.signal?.aborted ? route.signal.reason : err);
    res.onClose((finished) => {
      if (!finished) exchange?.abort();
    });
    if (route.signal) {
      const signal = route.signal;
      const onAbort = (): void => {
        exchange?.abort();
        fail(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      res.onClose(() => signal.removeEventListener('abort', onAbort));
    }

    const send = (attempt: number): void => {
      let ep: PickedEndpoint | undefined;
      try {
        ep = pickEndpoint(route);
      } catch (err) {
        return fail(err);
      }
      if (!ep) return fail(new NoDestinationError(`no destination for ${route.authority || 'request'}`));
      const endpoint = ep;
      const again = (): boolean => attempt + 1 < MAX_ATTEMPTS && resendable && !res.headersSent && !route.signal?.aborted;
      const onConn = (conn: UpstreamConnection): void => {
        if (res.finished || res.socket.destroyed) {
          conn.finish(true);
          return;
        }
        startExchange(conn, endpoint, attempt, again);
      };
      let acquired;
      try {
        acquired = pool.acquire(endpoint.target, endpoint.identity);
      } catch (err) {
        endpoint.done(false);
        return fail(err);
      }
      if (!(acquired instanceof Promise)) return onConn(acquired);
      acquired.then(onConn, (err: unknown) => {
        endpoint.done(false);
        // Never connected: nothing reached the endpoint, so the balancer may pick another
        // (no retry budget is spent: this adds no load to the destination).
        if (again() && route.pick) return send(attempt + 1);
        fail(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
      });
    };

    const startExchange = (conn: UpstreamConnection, endpoint: PickedEndpoint, attempt: number, again: () => boolean): void => {
      let status = 0;
      let mode: BodyMode = 'raw';
      let retrying = false;
      let waitingDrain = false;
      const ex = conn.start(req.method, head, req.framing, {
        informational(code, reason, headers) {
          if (code === 100 || code === 103) res.writeInformational(code, reason, code === 103 ? endToEnd(headers, []) : []);
        },
        response(h, framing) {
          status = h.status;
          if (again() && route.retry?.({ status })) {
            endpoint.done(false);
            retrying = true;
            send(attempt + 1);
            return 'discard';
          }
          const d = downstreamFraming(res, framing);
          mode = d.mode;
          const headers = endToEnd(h.headers, h.connection);
          // A HEAD or 304 answer states the length of a body it does not carry.
          if (framing.kind === 'none' && (req.method === 'HEAD' || status === 304)) {
            const cl = getHeader(h.headers, 'content-length');
            if (cl !== undefined) headers.push('content-length', cl);
          }
          res.writeHead(status, h.reason, headers, d.framing);
          return mode;
        },
        body(chunk) {
          const ok = mode === 'raw' ? res.writeRaw(chunk) : res.write(chunk);
          if (!ok && !waitingDrain) {
            waitingDrain = true;
            res.socket.once('drain', () => {
              waitingDrain = false;
              ex.resumeResponse();
            });
          }
          return ok;
        },
        end(trailers) {
          if (retrying) return;
          endpoint.done(status < 500);
          res.end(mode === 'raw' ? { raw: true } : { trailers });
        },
        error(err, unsent) {
          endpoint.done(false);
          if (retrying) return;
          if (res.headersSent) return res.destroy();
          // A pooled connection the upstream had closed as we picked it: send again if safe.
          if (unsent && again()) return send(attempt + 1);
          fail(new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
        },
      });
      exchange = ex;
      if (attempt > 0 || !req.hasBody) {
        ex.endRequest({ raw: true });
        return;
      }
      let waitingReqDrain = false;
      req.readBody({
        mode: 'raw',
        write(chunk) {
          const ok = ex.writeRaw(chunk);
          if (!ok && !waitingReqDrain) {
            waitingReqDrain = true;
            ex.onRequestDrain(() => {
              waitingReqDrain = false;
              req.resume();
            });
          }
          return ok;
        },
        end: () => ex.endRequest({ raw: true }),
        abort: () => ex.abort(),
      });
    };
    send(0);
  };
}
