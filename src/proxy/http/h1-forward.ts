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
import { NoDestinationError, TimeoutError, UpstreamConnectError } from '../../lib/errors.js';
import type { Framing } from './h1/head.js';
import { endToEnd, getHeader, headerLines, wantsTrailersFlat } from './h1/headers.js';
import type { H1Pool } from './h1/pool.js';
import type { H1Request } from './h1/request.js';
import type { H1Response } from './h1/response.js';
import type { BodyMode, Exchange, UpstreamConnection } from './h1/upstream.js';
import { errorResponse } from './proxy-error.js';
import { DEFAULT_FORWARD_OPTIONS, MAX_ATTEMPTS, ReplayBody, type ForwardOptions } from './retry-body.js';
import { pickEndpoint, type AttemptOutcome, type HttpRoute, type PickedEndpoint } from './route.js';

export type H1Handler = (req: H1Request, res: H1Response, route: HttpRoute) => void;
export type H1Layer = (next: H1Handler) => H1Handler;

/** Methods that carry no body, so a request can be sent again (stale pooled socket, retry). */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE']);

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

export function forwardH1(pool: H1Pool, opts: ForwardOptions = DEFAULT_FORWARD_OPTIONS): H1Handler {
  return function forward(req, res, route) {
    const head = requestHead(req, route.path, route.authority);
    // Only a route that may retry keeps a copy of the body (and only up to the buffer).
    const replay = route.retry && req.hasBody
      ? ReplayBody.forLength(opts.retryBufferBytes, req.framing.kind === 'length' ? req.framing.length : undefined)
      : undefined;
    /** Whether attempt 0 has started sending the body (from then on, only the copy can go again). */
    let bodyStarted = false;
    /** Sends that cost no budget (nothing reached the app): one, as before retries. */
    let freeResends = 1;
    /** The request can be sent as it was: no body, or all of it kept. */
    const bodyReady = (): boolean => !req.hasBody || (replay?.replayable ?? false);
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
      route.upstreamClock?.waiting();
      let ep: PickedEndpoint | undefined;
      try {
        ep = pickEndpoint(route);
      } catch (err) {
        return fail(err);
      }
      if (!ep) return fail(new NoDestinationError(`no destination for ${route.authority || 'request'}`));
      const endpoint = ep;
      const more = (): boolean => attempt + 1 < MAX_ATTEMPTS && !res.headersSent && !res.finished && !res.socket.destroyed && !route.signal?.aborted;
      const attemptState: Attempt = { decided: false, timer: undefined };
      // A retry the route allows (and the budget pays for): asked only when one is possible.
      const retry = (outcome: AttemptOutcome): boolean => more() && bodyReady() && (route.retry?.(outcome) ?? false);
      if (route.tryTimeoutMs !== undefined) {
        const ms = route.tryTimeoutMs;
        attemptState.timer = setTimeout(() => {
          if (attemptState.decided || res.headersSent || res.finished) return;
          attemptState.decided = true;
          attemptState.abandon?.();
          endpoint.done(false);
          if (retry({ status: 0, timedOut: true })) return send(attempt + 1);
          fail(new TimeoutError(`attempt to ${route.authority || formatAddress(endpoint.target)}`, ms));
        }, ms);
        res.onClose(() => decide(attemptState));
      }
      const onConn = (conn: UpstreamConnection): void => {
        if (attemptState.decided || res.finished || res.socket.destroyed) {
          conn.finish(true);
          return;
        }
        startExchange(conn, endpoint, attempt, attemptState, more, retry);
      };
      let acquired;
      try {
        acquired = pool.acquire(endpoint.target, endpoint.identity);
      } catch (err) {
        decide(attemptState);
        endpoint.done(false);
        return fail(err);
      }
      if (!(acquired instanceof Promise)) return onConn(acquired);
      acquired.then(onConn, (err: unknown) => {
        if (attemptState.decided) return;
        decide(attemptState);
        endpoint.done(false);
        // Never connected: nothing reached the endpoint, so the balancer may pick another
        // (no retry budget is spent: this adds no load to the destination).
        if (more() && (!bodyStarted || bodyReady()) && route.pick && freeResends-- > 0) return send(attempt + 1);
        fail(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
      });
    };

    const startExchange = (
      conn: UpstreamConnection,
      endpoint: PickedEndpoint,
      attempt: number,
      state: Attempt,
      more: () => boolean,
      retry: (outcome: AttemptOutcome) => boolean,
    ): void => {
      let status = 0;
      let mode: BodyMode = 'raw';
      let waitingDrain = false;
      /** This attempt's answer is being read and dropped: a retry took its place. */
      let discarded = false;
      const ex = conn.start(req.method, head, req.framing, {
        informational(code, reason, headers) {
          if (code === 100 || code === 103) res.writeInformational(code, reason, code === 103 ? endToEnd(headers, []) : []);
        },
        response(h, framing) {
          if (state.decided) return 'discard';
          route.upstreamClock?.answered();
          decide(state);
          status = h.status;
          if (retry({ status })) {
            endpoint.done(false);
            discarded = true;
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
          if (discarded) return;
          endpoint.done(status < 500);
          res.end(mode === 'raw' ? { raw: true } : { trailers });
        },
        error(err, unsent) {
          if (discarded) return;
          decide(state);
          endpoint.done(false);
          if (res.headersSent) return res.destroy();
          // A pooled connection the upstream had closed as we picked it: send again if safe
          // (nothing reached the app, so no budget is spent).
          if (unsent && more() && (canResend(req) || bodyReady()) && freeResends-- > 0) return send(attempt + 1);
          if (retry({ status: 0 })) return send(attempt + 1);
          fail(new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
        },
      });
      exchange = ex;
      state.abandon = () => ex.abort();
      if (!req.hasBody) {
        ex.endRequest({ raw: true });
        return;
      }
      if (bodyStarted) {
        // A later attempt: the kept copy, as it came (raw framing, last chunk included).
        for (const c of replay?.chunks ?? []) ex.writeRaw(c);
        ex.endRequest({ raw: true });
        return;
      }
      bodyStarted = true;
      // The body goes to whichever exchange is current when it arrives: attempt 0's, since a
      // retry waits until the whole body is here.
      const first = ex;
      let waitingReqDrain = false;
      req.readBody({
        mode: 'raw',
        write(chunk) {
          replay?.add(chunk);
          const ok = first.writeRaw(chunk);
          if (!ok && !waitingReqDrain) {
            waitingReqDrain = true;
            first.onRequestDrain(() => {
              waitingReqDrain = false;
              req.resume();
            });
          }
          return ok;
        },
        end: () => {
          if (replay) replay.complete = true;
          first.endRequest({ raw: true });
        },
        abort: () => first.abort(),
      });
    };
    send(0);
  };
}

/** One attempt's decision state: the per-try timer, and how to give the attempt up. */
interface Attempt {
  /** The attempt's outcome was taken (answer relayed, retried, failed, or timed out). */
  decided: boolean;
  timer: NodeJS.Timeout | undefined;
  abandon?: () => void;
}

/** The outcome is known in time: the per-try timer has nothing left to do. */
function decide(a: Attempt): void {
  clearTimeout(a.timer);
  a.timer = undefined;
}
