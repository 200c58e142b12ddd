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
import { bodilessKeepsLength, codedFraming, type Framing, type ResponseHead } from './h1/head.js';
import { endToEnd, endToEndLines, forwardableAsIs, getHeader, onlyConnectionHopFields, wantsTrailersFlat } from './h1/headers.js';
import type { H1Pool } from './h1/pool.js';
import type { H1Request } from './h1/request.js';
import { H1Response } from './h1/response.js';
import type { BodyMode, Exchange, ExchangeHandlers, UpstreamConnection } from './h1/upstream.js';
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

/**
 * The head for the next hop: the client's own bytes when nothing in them is for this hop only
 * and nothing was changed (an HTTP/1.1 request with a Host, its target kept, no Connection or
 * other hop-by-hop field, no layer's edit), else one rebuilt by requestHead. Passing the bytes
 * saves building a head string and encoding it again; A/B on the HTTP/1 hop: see
 * bench/RESULTS.md (2026-12-04).
 */
function nextHopHead(req: H1Request, path: string, authority: string): string | Buffer {
  const h = req.head;
  if (h.minor === 1 && h.host !== undefined && path === h.target && h.connection.length === 0 && forwardableAsIs(req.headers)) return req.rawHead;
  return requestHead(req, path, authority);
}

/** The request line and head for the next hop, with the body's framing restated. */
export function requestHead(req: H1Request, path: string, authority: string): string {
  let head = `${req.method} ${path} HTTP/1.1\r\n`;
  if (req.head.host === undefined && authority) head += `host: ${authority}\r\n`;
  head += endToEndLines(req.headers, req.head.connection);
  if (wantsTrailersFlat(req.headers)) head += 'te: trailers\r\n';
  if (req.framing.kind === 'length') head += `content-length: ${req.framing.length}\r\n`;
  else if (req.framing.kind === 'chunked') head += 'transfer-encoding: chunked\r\n';
  // An empty body declared as such stays declared (some servers refuse a POST without a length).
  else if (getHeader(req.headers, 'content-length') !== undefined) head += 'content-length: 0\r\n';
  return head + '\r\n';
}

const PLAIN_WRITE_HEAD = H1Response.prototype.writeHead;

/**
 * Whether an upstream answer's head may go to the client as it came, less its Connection and
 * Keep-Alive lines: HTTP/1.1, its framing kept towards this client and declared by its own
 * Content-Length or Transfer-Encoding (or a bodiless answer's own Content-Length, 204 aside),
 * Connection naming nothing but close or keep-alive, no other hop-by-hop field, and no layer
 * that sees or edits heads (tap, route filters, access log, route cost: they wrap writeHead).
 * Anything else gets a head rebuilt from the parsed fields.
 */
function passableAnswer(h: ResponseHead, framingKept: boolean, res: H1Response): boolean {
  if (h.minor !== 1 || !framingKept || res.writeHead !== PLAIN_WRITE_HEAD) return false;
  const kind = h.framing.kind;
  if (kind === 'close' || (kind === 'none' && !bodilessKeepsLength(h.status))) return false;
  for (const token of h.connection) if (token !== 'close' && token !== 'keep-alive') return false;
  return onlyConnectionHopFields(h.headers);
}

/** How the response is delimited towards this client, and whether its bytes pass as they are. */
function downstreamFraming(res: H1Response, upstream: Framing): { framing: Framing; mode: BodyMode } {
  if (upstream.kind === 'chunked' && res.clientMinor === 0) return { framing: codedFraming('close', upstream.codings), mode: 'payload' };
  return { framing: upstream, mode: 'raw' };
}

export function forwardH1(pool: H1Pool, opts: ForwardOptions = DEFAULT_FORWARD_OPTIONS): H1Handler {
  return function forward(req, res, route) {
    new Forwarding(pool, opts, req, res, route).start();
  };
}

// One request's forwarding, and below it one attempt's: objects with methods rather than a
// dozen closures per request (the closures were a quarter of the hop's allocation per request).

/** A request on its way upstream: its head for the next hop, its attempts, its body copy. */
class Forwarding {
  readonly head: string | Buffer;
  /** Only a route that may retry keeps a copy of the body (and only up to the buffer). */
  readonly replay: ReplayBody | undefined;
  /** Whether attempt 0 has started sending the body (from then on, only the copy can go again). */
  bodyStarted = false;
  /** Sends that cost no budget (nothing reached the app): one, as before retries. */
  freeResends = 1;
  exchange: Exchange | undefined;

  constructor(
    readonly pool: H1Pool,
    opts: ForwardOptions,
    readonly req: H1Request,
    readonly res: H1Response,
    readonly route: HttpRoute,
  ) {
    this.head = nextHopHead(req, route.path, route.authority);
    this.replay = route.retry && req.hasBody
      ? ReplayBody.forLength(opts.retryBufferBytes, req.framing.kind === 'length' ? req.framing.length : undefined)
      : undefined;
  }

  start(): void {
    this.res.onClose((finished) => {
      if (!finished) this.exchange?.abort();
    });
    const signal = this.route.signal;
    if (signal) {
      const onAbort = (): void => {
        this.exchange?.abort();
        this.fail(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.res.onClose(() => signal.removeEventListener('abort', onAbort));
    }
    this.send(0);
  }

  /** The request can be sent as it was: no body, or all of it kept. */
  bodyReady(): boolean {
    return !this.req.hasBody || (this.replay?.replayable ?? false);
  }

  fail(err: unknown): void {
    sendProxyError(this.res, this.route.signal?.aborted ? this.route.signal.reason : err);
  }

  send(attempt: number): void {
    const route = this.route;
    route.upstreamClock?.waiting();
    let ep: PickedEndpoint | undefined;
    try {
      ep = pickEndpoint(route);
    } catch (err) {
      return this.fail(err);
    }
    if (!ep) return this.fail(new NoDestinationError(`no destination for ${route.authority || 'request'}`));
    const a = new Attempt(this, ep, attempt);
    if (route.tryTimeoutMs !== undefined) a.armTimer(route.tryTimeoutMs);
    let acquired;
    try {
      acquired = this.pool.acquire(ep.target, ep.identity);
    } catch (err) {
      a.decide();
      ep.done(false);
      return this.fail(err);
    }
    if (!(acquired instanceof Promise)) return a.connected(acquired);
    const picked = ep;
    acquired.then(
      (conn) => {
        picked.connected?.();
        a.connected(conn);
      },
      (err: unknown) => a.connectFailed(err),
    );
  }
}

/** One attempt: a balancer pick, a pooled connection, an exchange on it. */
class Attempt implements ExchangeHandlers {
  /** The attempt's outcome was taken (answer relayed, retried, failed, or timed out). */
  decided = false;
  private timer: NodeJS.Timeout | undefined;
  private ex: Exchange | undefined;
  private status = 0;
  private mode: BodyMode = 'raw';
  private waitingDrain = false;
  /** This attempt's answer is being read and dropped: a retry took its place. */
  private discarded = false;

  constructor(
    private readonly f: Forwarding,
    private readonly endpoint: PickedEndpoint,
    private readonly attempt: number,
  ) {}

  /** Whether another attempt may still follow this one. */
  private more(): boolean {
    const res = this.f.res;
    return this.attempt + 1 < MAX_ATTEMPTS && !res.headersSent && !res.finished && !res.socket.destroyed && !this.f.route.signal?.aborted;
  }

  /** A retry the route allows (and the budget pays for): asked only when one is possible. */
  private retry(outcome: AttemptOutcome): boolean {
    return this.more() && this.f.bodyReady() && (this.f.route.retry?.(outcome) ?? false);
  }

  /** The outcome is known in time: the per-try timer has nothing left to do. */
  decide(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  armTimer(ms: number): void {
    const { res, route } = this.f;
    this.timer = setTimeout(() => {
      if (this.decided || res.headersSent || res.finished) return;
      this.decided = true;
      this.ex?.abort();
      this.endpoint.done(false);
      if (this.retry({ status: 0, timedOut: true })) return this.f.send(this.attempt + 1);
      this.f.fail(new TimeoutError(`attempt to ${route.authority || formatAddress(this.endpoint.target)}`, ms));
    }, ms);
    res.onClose(() => this.decide());
  }

  connectFailed(err: unknown): void {
    if (this.decided) return;
    this.decide();
    this.endpoint.done(false);
    const f = this.f;
    // Never connected: nothing reached the endpoint, so the balancer may pick another
    // (no retry budget is spent: this adds no load to the destination).
    if (this.more() && (!f.bodyStarted || f.bodyReady()) && f.route.pick && f.freeResends-- > 0) return f.send(this.attempt + 1);
    f.fail(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(this.endpoint.target), { cause: err }));
  }

  connected(conn: UpstreamConnection): void {
    const { req, res } = this.f;
    if (this.decided || res.finished || res.socket.destroyed) {
      conn.finish(true);
      return;
    }
    const f = this.f;
    const ex = conn.start(req.method, f.head, req.framing, this);
    this.ex = ex;
    f.exchange = ex;
    if (!req.hasBody) {
      ex.endRequest({ raw: true });
      return;
    }
    if (f.bodyStarted) {
      // A later attempt: the kept copy, as it came (raw framing, last chunk included).
      for (const c of f.replay?.chunks ?? []) ex.writeRaw(c);
      ex.endRequest({ raw: true });
      return;
    }
    f.bodyStarted = true;
    sendBody(req, ex, f.replay);
  }

  // ---- ExchangeHandlers ----
  informational(code: number, reason: string, headers: readonly string[]): void {
    if (code === 100 || code === 103) this.f.res.writeInformational(code, reason, code === 103 ? endToEnd(headers, []) : []);
  }

  response(h: ResponseHead, framing: Framing): BodyMode {
    if (this.decided) return 'discard';
    const { res, route } = this.f;
    route.upstreamClock?.answered();
    this.decide();
    const status = h.status;
    this.status = status;
    if (this.retry({ status })) {
      this.endpoint.done(false);
      this.discarded = true;
      this.f.send(this.attempt + 1);
      return 'discard';
    }
    const d = downstreamFraming(res, framing);
    this.mode = d.mode;
    if (passableAnswer(h, d.framing === framing, res)) {
      res.writeHeadAsIs(status, h.raw, h.connectionLines, framing, true);
      return this.mode;
    }
    const headers = endToEnd(h.headers, h.connection);
    if (framing.kind === 'none' && bodilessKeepsLength(status)) {
      const cl = getHeader(h.headers, 'content-length');
      if (cl !== undefined) headers.push('content-length', cl);
    }
    // Held until this read's body bytes (or readDone): one write for both.
    res.writeHead(status, h.reason, headers, d.framing, true);
    return this.mode;
  }

  readDone(): void {
    this.f.res.flushHead();
  }

  body(chunk: Buffer): boolean {
    const res = this.f.res;
    const ok = this.mode === 'raw' ? res.writeRaw(chunk) : res.write(chunk);
    if (!ok && !this.waitingDrain) {
      this.waitingDrain = true;
      res.socket.once('drain', () => {
        this.waitingDrain = false;
        this.ex?.resumeResponse();
      });
    }
    return ok;
  }

  end(trailers: readonly string[]): void {
    if (this.discarded) return;
    this.endpoint.done(this.status < 500);
    this.f.res.end(this.mode === 'raw' ? RAW_END : { trailers });
  }

  error(err: Error, unsent: boolean): void {
    if (this.discarded) return;
    this.decide();
    this.endpoint.done(false);
    const f = this.f;
    if (f.res.headersSent) return f.res.destroy();
    // A pooled connection the upstream had closed as we picked it: send again if safe
    // (nothing reached the app, so no budget is spent).
    if (unsent && this.more() && (canResend(f.req) || f.bodyReady()) && f.freeResends-- > 0) return f.send(this.attempt + 1);
    if (this.retry({ status: 0 })) return f.send(this.attempt + 1);
    f.fail(new UpstreamConnectError(formatAddress(this.endpoint.target), { cause: err }));
  }
}

const RAW_END = Object.freeze({ raw: true });

/**
 * Attempt 0 sends the body as it arrives (keeping a copy when the route may retry): a retry
 * waits until the whole body is here, so bytes always go to this first exchange.
 */
function sendBody(req: H1Request, first: Exchange, replay: ReplayBody | undefined): void {
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
}
