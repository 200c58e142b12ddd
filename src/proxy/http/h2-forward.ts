// Forwards one HTTP/2 (or gRPC) stream upstream over a shared session: bodies stream both
// ways under flow control (relayBody), trailers (grpc-status) are preserved, trailers-only responses
// stay trailers-only, 1xx headers are relayed, and a reset on either side is passed to the
// other (a client that leaves cancels the upstream stream). Failures before the response
// become a 502 — or, for gRPC, a trailers-only UNAVAILABLE — with weft-proxy-error.
import http2, { type Http2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, TimeoutError, UpstreamConnectError } from '../../lib/errors.js';
import { grpcMessage } from './grpc-message.js';
import { stripHopByHop, wantsTrailers } from './hop-by-hop.js';
import { cutAfterGoaway, openStream, unprocessedByPeer, type H2SessionPool } from './h2-pool.js';
import { resetStream } from './h2-server.js';
import { errorResponse, headerSafe, PROXY_ERROR_HEADER } from './proxy-error.js';
import { grpcStatusOf, isGrpcContentType } from './grpc-status.js';
import { holdResponse, type HeldResponse } from './h2-response-hold.js';
import { DEFAULT_FORWARD_OPTIONS, MAX_ATTEMPTS, ReplayBody, type ForwardOptions } from './retry-body.js';
import { pickEndpoint, type AttemptOutcome, type HttpRoute, type PickedEndpoint } from './route.js';
import type { Address } from '../../lib/address.js';

/** Methods a client may repeat after a connection failure (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Sends of one request the upstream left unprocessed (REFUSED_STREAM, outside a GOAWAY) that go again. */
export const MAX_UNPROCESSED_RESENDS = 4;

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_FLAG_END_STREAM } = http2.constants;

export type H2Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, route: HttpRoute) => void;
export type H2Layer = (next: H2Handler) => H2Handler;

/** Responds with the proxy's own error, if the stream can still take a response. */
export function respondH2Error(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, err: unknown): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    resetStream(stream, NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const e = errorResponse(err);
  const reason = headerSafe(e.reason);
  try {
    if (isGrpcContentType(headers)) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(e.grpcStatus), 'grpc-message': grpcMessage(reason), [PROXY_ERROR_HEADER]: reason },
        { endStream: true },
      );
    } else {
      stream.respond({ ':status': e.status, 'content-type': 'text/plain; charset=utf-8', [PROXY_ERROR_HEADER]: reason });
      stream.end(`${e.reason}\n`);
    }
  } catch {
    resetStream(stream, NGHTTP2_INTERNAL_ERROR);
  }
}

export function forwardH2(pool: H2SessionPool, opts: ForwardOptions = DEFAULT_FORWARD_OPTIONS): H2Handler {
  return function forward(stream, headers, flags, route) {
    stream.on('error', () => {}); // resets and aborts are handled through 'close'
    const requestEnded = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    // Keep a copy of a small request body, so that it can be sent again: after a retry
    // decision, or when the upstream refused the stream unprocessed (REFUSED_STREAM, e.g.
    // racing its GOAWAY), on a new connection.
    const body = new ReplayBody(opts.retryBufferBytes);
    body.complete = requestEnded;
    if (!requestEnded) {
      const onData = (c: Buffer): void => {
        body.add(c);
        if (body.overflowed) stream.off('data', onData);
      };
      stream.on('data', onData);
      stream.once('end', () => (body.complete = true));
      stream.once('trailers', (t: IncomingHttpHeaders) => (body.trailers = t));
      const onBody = route.onRequestBody;
      if (onBody) {
        let told = false;
        const tell = (b: Buffer | undefined): void => {
          if (told) return;
          told = true;
          onBody(b);
        };
        stream.once('end', () => tell(body.overflowed ? undefined : Buffer.concat(body.chunks)));
        stream.once('close', () => tell(undefined));
      }
    }
    let last: PickedEndpoint | undefined;
    stream.once('close', () => {
      const status = Number(stream.sentHeaders?.[':status'] ?? 0);
      last?.done(status > 0 && status < 500 && (stream.rstCode ?? 0) === NGHTTP2_NO_ERROR);
    });
    let refusals = 0;
    const send = (attempt: number): void => {
      if (stream.destroyed || stream.closed) return;
      route.upstreamClock?.waiting();
      let ep: PickedEndpoint | undefined;
      try {
        ep = pickEndpoint(route);
      } catch (err) {
        respondH2Error(stream, headers, err);
        return;
      }
      if (!ep) {
        respondH2Error(stream, headers, new NoDestinationError(`no destination for ${route.authority || 'request'}`));
        return;
      }
      const endpoint = ep;
      last = endpoint;
      const attemptCtx: AttemptCtx = {
        route,
        target: endpoint.target,
        body: attempt === 0 ? undefined : body,
        holdLimit: opts.retryBufferBytes,
        // Asked only when another attempt is possible: the body is all here and kept.
        canRetry: () => attempt + 1 < MAX_ATTEMPTS && body.replayable && !stream.headersSent && !stream.destroyed && !route.signal?.aborted,
        retry: (outcome) => {
          if (!attemptCtx.canRetry() || !route.retry?.(outcome)) return false;
          last = undefined;
          endpoint.done(false);
          send(attempt + 1);
          return true;
        },
        // A stream the upstream refused unprocessed goes again, at no cost to the budget, up to
        // MAX_UNPROCESSED_RESENDS times: nginx ends each upstream connection after 1,000 streams
        // (keepalive_requests) with a GOAWAY that leaves out the streams sent past it, and with
        // hundreds in flight a resent stream can be left out by the next connection's GOAWAY
        // too. Sent again once only, 9.5% of h2load -c50 -m10 through one hop got 502.
        refused: () => {
          if (refusals++ >= MAX_UNPROCESSED_RESENDS || !body.replayable) return false;
          last = undefined;
          endpoint.done(false);
          send(attempt + 1);
          return true;
        },
      };
      withSession(pool, endpoint, stream, headers, (session) => relay(session, stream, headers, requestEnded, attemptCtx), (err) => {
        // Never connected: nothing reached the endpoint.
        if (!attemptCtx.retry({ status: 0 })) respondH2Error(stream, headers, err);
      });
    };
    send(0);
  };
}

/**
 * `src`'s data into `dst` under flow control, then `dst.end()` (which asks for its trailers):
 * what pipe() did here, without pipe's bookkeeping — eight listeners added to the two streams
 * and removed again per stream, ~10% of a gRPC hop's CPU in a perf profile (2026-12-04). A
 * destination that is gone takes nothing more; its stream's close settles the attempt.
 */
function relayBody(src: Http2Stream, dst: Http2Stream): void {
  const resume = (): void => {
    if (!src.destroyed) src.resume();
  };
  src.on('data', (chunk: Buffer) => {
    if (dst.destroyed || dst.writableEnded) return;
    if (!dst.write(chunk)) {
      src.pause();
      dst.once('drain', resume);
    }
  });
  src.once('end', () => {
    if (!dst.destroyed && !dst.writableEnded) dst.end();
  });
}

/** What one attempt's relay needs besides the streams. */
interface AttemptCtx {
  readonly route: HttpRoute;
  readonly target: Address;
  /** A later attempt: send this kept body instead of piping the downstream stream. */
  readonly body: ReplayBody | undefined;
  /** Bytes of a gRPC response held back for its trailers. */
  readonly holdLimit: number;
  /** Another attempt is possible (the whole body is kept, nothing relayed yet, attempts left). */
  canRetry(): boolean;
  /** Sends another attempt if the route allows it; true: it has (drop this one). */
  retry(outcome: AttemptOutcome): boolean;
  /** REFUSED_STREAM before any response: true if sent again. */
  refused(): boolean;
}

/** Runs `fn` with a pooled session for the target (connecting first if needed). */
function withSession(
  pool: H2SessionPool,
  endpoint: PickedEndpoint,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  fn: (s: http2.ClientHttp2Session) => void,
  onError: (err: unknown) => void,
): void {
  let session: http2.ClientHttp2Session | Promise<http2.ClientHttp2Session>;
  try {
    session = pool.get(endpoint.target, endpoint.identity);
  } catch (err) {
    respondH2Error(stream, headers, err);
    return;
  }
  if (!(session instanceof Promise)) return fn(session);
  stream.pause();
  session.then((s) => {
    endpoint.connected?.();
    fn(s);
  }, (err: unknown) => onError(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(endpoint.target), { cause: err })));
}

/**
 * Sends the downstream stream's request on an upstream session and relays everything back.
 * On a route that may retry, the outcome (status, grpc-status, per-try timeout, error) is
 * offered to `a.retry` before anything is relayed; a gRPC response waits for its trailers.
 */
function relay(session: http2.ClientHttp2Session, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, requestEnded: boolean, a: AttemptCtx): void {
  if (stream.destroyed || stream.closed) return;
  const { route, target } = a;
  const reqHeaders: OutgoingHttpHeaders = stripHopByHop(headers);
  if (wantsTrailers(headers)) reqHeaders.te = 'trailers';
  let up: http2.ClientHttp2Stream;
  try {
    up = openStream(session, reqHeaders, { endStream: requestEnded, waitForTrailers: !requestEnded });
  } catch (err) {
    if (!a.retry({ status: 0 })) respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err }));
    return;
  }
  /** This attempt's outcome was taken: relayed, retried, or answered with our error. */
  let decided = false;
  /** This attempt's response is the one being relayed. */
  let committed = false;
  let timer: NodeJS.Timeout | undefined;
  const settle = (): void => {
    decided = true;
    clearTimeout(timer);
  };
  /** Before anything was relayed: retry if the route allows, else answer with `err`. */
  const failed = (outcome: AttemptOutcome, err: unknown): void => {
    if (decided) return;
    settle();
    if (!up.closed) up.close(NGHTTP2_CANCEL);
    if (stream.headersSent || stream.closed || stream.destroyed || route.signal?.aborted) return;
    if (!a.retry(outcome)) respondH2Error(stream, headers, err);
  };

  let respTrailers: OutgoingHttpHeaders | undefined;
  up.on('wantTrailers', () => up.sendTrailers(a.body?.trailers ?? reqTrailers ?? {}));
  let reqTrailers: OutgoingHttpHeaders | undefined;
  if (a.body) {
    for (const c of a.body.chunks) up.write(c);
    if (!requestEnded) up.end();
  } else if (!requestEnded) {
    stream.on('trailers', (t: IncomingHttpHeaders) => (reqTrailers = t));
    relayBody(stream, up);
    stream.resume();
  }
  if (route.tryTimeoutMs !== undefined) {
    const ms = route.tryTimeoutMs;
    timer = setTimeout(() => failed({ status: 0, timedOut: true }, new TimeoutError(`attempt to ${route.authority || formatAddress(target)}`, ms)), ms);
  }

  /** Relays the response downstream (headers now; held body and trailers, or the live rest). */
  const commit = (h: IncomingHttpHeaders, endStream: boolean, held?: HeldResponse): void => {
    settle();
    committed = true;
    if (stream.destroyed || stream.closed) {
      up.close(NGHTTP2_CANCEL);
      return;
    }
    if (held?.ended) {
      respTrailers = held.trailers;
      endStream = held.chunks.length === 0 && !held.trailers;
    }
    try {
      stream.respond(stripHopByHop(h), { endStream, waitForTrailers: !endStream });
    } catch {
      up.close(NGHTTP2_CANCEL);
      return;
    }
    if (endStream) return;
    stream.once('wantTrailers', () => stream.sendTrailers(respTrailers ?? {}));
    for (const c of held?.chunks ?? []) stream.write(c);
    if (held?.ended) stream.end();
    else {
      relayBody(up, stream);
      up.resume();
    }
  };

  up.on('headers', (h: IncomingHttpHeaders) => {
    if (!stream.destroyed && !stream.headersSent) stream.additionalHeaders(h); // 1xx informational
  });
  up.on('response', (h: IncomingHttpHeaders, rflags: number) => {
    if (decided) return;
    route.upstreamClock?.answered();
    if (stream.destroyed || stream.closed) {
      settle();
      up.close(NGHTTP2_CANCEL);
      return;
    }
    const endStream = (rflags & NGHTTP2_FLAG_END_STREAM) !== 0;
    const status = Number(h[':status'] ?? 0);
    // One branch when the route has no retry policy.
    if (route.retry && a.canRetry()) {
      const grpcStatus = grpcStatusOf(h);
      // gRPC's answer comes in trailers after a 200: hold the response until then.
      if (status === 200 && !endStream && grpcStatus === undefined && isGrpcContentType(h)) {
        clearTimeout(timer); // the answer has begun; the per-try timeout covered its start
        holdResponse(up, h, a.holdLimit, {
          decide: (held) => {
            const g = held.trailers ? grpcStatusOf(held.trailers) : undefined;
            if (decided) return;
            if (g !== undefined && g !== 0 && !stream.headersSent && a.retry({ status, grpcStatus: g })) return settle();
            commit(h, false, held);
          },
          overflow: (held) => commit(h, false, held),
        });
        return;
      }
      if (a.retry(grpcStatus === undefined ? { status } : { status, grpcStatus })) {
        settle();
        up.close(NGHTTP2_CANCEL);
        return;
      }
    }
    commit(h, endStream);
  });
  up.on('trailers', (t: IncomingHttpHeaders) => (respTrailers = t));

  /**
   * The stream may go again: the upstream did not process it (refused, never sent, or left out
   * by its GOAWAY), or its connection closed after a GOAWAY before answering an idempotent one.
   */
  const idempotent = IDEMPOTENT_METHODS.has(String(headers[':method'] ?? 'GET'));
  const unprocessed = (): boolean => up.rstCode === NGHTTP2_REFUSED_STREAM || unprocessedByPeer(session, up) || (idempotent && cutAfterGoaway(session, up));
  up.on('error', (err) => {
    // An unprocessed stream is decided in 'close' (it may be sent again).
    if (unprocessed()) return;
    failed({ status: 0 }, new UpstreamConnectError(formatAddress(target), { cause: err }));
  });
  up.on('close', () => {
    const code = up.rstCode ?? NGHTTP2_NO_ERROR;
    if (stream.closed || stream.destroyed || route.signal?.aborted) return;
    if (!decided) {
      if (!stream.headersSent && unprocessed() && a.refused()) return settle();
      failed({ status: 0 }, new UpstreamConnectError(formatAddress(target), { cause: new Error(`upstream stream closed (code ${code})`) }));
    } else if (committed && stream.headersSent && code !== NGHTTP2_NO_ERROR) {
      resetStream(stream, code);
    }
  });
  stream.on('close', () => {
    clearTimeout(timer);
    if (!up.closed && !up.destroyed) up.close(stream.rstCode && stream.rstCode !== NGHTTP2_NO_ERROR ? stream.rstCode : NGHTTP2_CANCEL);
  });
  // Route timeout: give up on the upstream and answer 504 (gRPC: DEADLINE_EXCEEDED) if we can.
  const signal = route.signal;
  if (signal) {
    const onAbort = (): void => {
      settle();
      if (!stream.headersSent) respondH2Error(stream, headers, signal.reason);
      else if (!stream.closed) resetStream(stream, NGHTTP2_CANCEL);
      if (!up.closed) up.close(NGHTTP2_CANCEL);
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
}
