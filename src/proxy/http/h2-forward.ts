// Forwards one HTTP/2 (or gRPC) stream upstream over a shared session: bodies stream both
// ways under flow control (pipe), trailers (grpc-status) are preserved, trailers-only responses
// stay trailers-only, 1xx headers are relayed, and a reset on either side is passed to the
// other (a client that leaves cancels the upstream stream). Failures before the response
// become a 502 — or, for gRPC, a trailers-only UNAVAILABLE — with weft-proxy-error.
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError } from '../../lib/errors.js';
import { stripHopByHop, wantsTrailers } from './hop-by-hop.js';
import type { H2SessionPool } from './h2-pool.js';
import { resetStream } from './h2-server.js';
import { errorResponse, headerSafe, PROXY_ERROR_HEADER } from './proxy-error.js';
import { pickEndpoint, type HttpRoute, type PickedEndpoint } from './route.js';
import type { Address } from '../../lib/address.js';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_FLAG_END_STREAM } = http2.constants;

export type H2Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, route: HttpRoute) => void;
export type H2Layer = (next: H2Handler) => H2Handler;

function isGrpc(headers: IncomingHttpHeaders): boolean {
  const ct = headers['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc');
}

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
    if (isGrpc(headers)) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(e.grpcStatus), 'grpc-message': encodeURIComponent(reason), [PROXY_ERROR_HEADER]: reason },
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

export function forwardH2(pool: H2SessionPool): H2Handler {
  return function forward(stream, headers, flags, route) {
    stream.on('error', () => {}); // resets and aborts are handled through 'close'
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
    const { target } = ep;
    const endpoint = ep;
    stream.once('close', () => {
      const status = Number(stream.sentHeaders?.[':status'] ?? 0);
      endpoint.done(status > 0 && status < 500 && (stream.rstCode ?? 0) === NGHTTP2_NO_ERROR);
    });
    const requestEnded = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    // Keep a copy of a small request body, so a stream the upstream refused unprocessed
    // (REFUSED_STREAM, e.g. racing its GOAWAY) can be sent again on a new connection.
    const body: Replay = { chunks: [], bytes: 0, complete: requestEnded };
    if (!requestEnded) {
      const onData = (c: Buffer): void => {
        body.bytes += c.length;
        if (body.bytes > MAX_REPLAY_BYTES) {
          body.chunks = undefined;
          stream.off('data', onData);
        } else body.chunks?.push(c);
      };
      stream.on('data', onData);
      stream.once('end', () => (body.complete = true));
    }
    const send = (attempt: number): void =>
      withSession(pool, target, endpoint.identity, stream, headers, (session) =>
        relay(session, stream, headers, requestEnded, route, target, attempt === 0 ? undefined : body, () => {
          if (attempt === 0 && body.complete && body.chunks) send(1);
          else return false;
          return true;
        }),
      );
    send(0);
  };
}

/** Bytes of request body kept for a replay after REFUSED_STREAM. */
const MAX_REPLAY_BYTES = 64 * 1024;

interface Replay {
  /** undefined once the body outgrew MAX_REPLAY_BYTES. */
  chunks: Buffer[] | undefined;
  bytes: number;
  complete: boolean;
}

/** Runs `fn` with a pooled session for the target (connecting first if needed). */
function withSession(
  pool: H2SessionPool,
  target: Address,
  identity: string | undefined,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  fn: (s: http2.ClientHttp2Session) => void,
): void {
  let session: http2.ClientHttp2Session | Promise<http2.ClientHttp2Session>;
  try {
    session = pool.get(target, identity);
  } catch (err) {
    respondH2Error(stream, headers, err);
    return;
  }
  if (!(session instanceof Promise)) return fn(session);
  stream.pause();
  session.then(fn, (err: unknown) =>
    respondH2Error(stream, headers, err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(target), { cause: err })),
  );
}

/**
 * Sends the downstream stream's request on an upstream session and relays everything back.
 * `replay` (a second attempt) sends the kept body instead of piping the stream; `onRefused` is
 * asked whether a REFUSED_STREAM before any response was taken care of (sent again).
 */
function relay(
  session: http2.ClientHttp2Session,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  requestEnded: boolean,
  route: HttpRoute,
  target: Address,
  replay: Replay | undefined,
  onRefused: () => boolean,
): void {
  if (stream.destroyed || stream.closed) return;
  const reqHeaders: OutgoingHttpHeaders = stripHopByHop(headers);
  if (wantsTrailers(headers)) reqHeaders.te = 'trailers';
  let up: http2.ClientHttp2Stream;
  try {
    up = session.request(reqHeaders, { endStream: requestEnded, waitForTrailers: !requestEnded });
  } catch (err) {
    respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err }));
    return;
  }

  let reqTrailers: OutgoingHttpHeaders | undefined;
  let respTrailers: OutgoingHttpHeaders | undefined;
  stream.on('trailers', (t: IncomingHttpHeaders) => (reqTrailers = t));
  up.on('wantTrailers', () => up.sendTrailers(reqTrailers ?? {}));
  if (replay) {
    for (const c of replay.chunks ?? []) up.write(c);
    if (!requestEnded) up.end();
  } else if (!requestEnded) {
    stream.pipe(up);
    stream.resume();
  }

  up.on('headers', (h: IncomingHttpHeaders) => {
    if (!stream.destroyed && !stream.headersSent) stream.additionalHeaders(h); // 1xx informational
  });
  up.on('response', (h: IncomingHttpHeaders, rflags: number) => {
    if (stream.destroyed || stream.closed) {
      up.close(NGHTTP2_CANCEL);
      return;
    }
    const endStream = (rflags & NGHTTP2_FLAG_END_STREAM) !== 0;
    try {
      stream.respond(stripHopByHop(h), { endStream, waitForTrailers: !endStream });
    } catch {
      up.close(NGHTTP2_CANCEL);
      return;
    }
    if (!endStream) {
      stream.once('wantTrailers', () => stream.sendTrailers(respTrailers ?? {}));
      up.pipe(stream);
    }
  });
  up.on('trailers', (t: IncomingHttpHeaders) => (respTrailers = t));

  // Once we have answered with our own error, the upstream's reset is no news to the client.
  let answeredWithError = false;
  up.on('error', (err) => {
    // A refused stream is decided in 'close' (it may be sent again).
    if (stream.headersSent || up.rstCode === NGHTTP2_REFUSED_STREAM) return;
    answeredWithError = true;
    respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err }));
  });
  up.on('close', () => {
    const code = up.rstCode ?? NGHTTP2_NO_ERROR;
    if (stream.closed || stream.destroyed || route.signal?.aborted || answeredWithError) return;
    if (!stream.headersSent && code === NGHTTP2_REFUSED_STREAM && onRefused()) return;
    if (!stream.headersSent) {
      answeredWithError = true;
      respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: new Error(`upstream stream closed (code ${code})`) }));
    } else if (code !== NGHTTP2_NO_ERROR) {
      resetStream(stream, code);
    }
  });
  stream.on('close', () => {
    if (!up.closed && !up.destroyed) up.close(stream.rstCode && stream.rstCode !== NGHTTP2_NO_ERROR ? stream.rstCode : NGHTTP2_CANCEL);
  });
  // Route timeout: give up on the upstream and answer 504 (gRPC: DEADLINE_EXCEEDED) if we can.
  const signal = route.signal;
  if (signal) {
    const onAbort = (): void => {
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
