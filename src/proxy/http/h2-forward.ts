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
import { errorResponse, headerSafe, PROXY_ERROR_HEADER } from './proxy-error.js';
import type { HttpRoute } from './route.js';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

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
    stream.close(NGHTTP2_INTERNAL_ERROR);
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
    stream.close(NGHTTP2_INTERNAL_ERROR);
  }
}

export function forwardH2(pool: H2SessionPool): H2Handler {
  return function forward(stream, headers, flags, route) {
    stream.on('error', () => {}); // resets and aborts are handled through 'close'
    const target = route.target;
    if (!target) {
      respondH2Error(stream, headers, new NoDestinationError(`no destination for ${route.authority || 'request'}`));
      return;
    }
    const reqHeaders: OutgoingHttpHeaders = stripHopByHop(headers);
    if (wantsTrailers(headers)) reqHeaders.te = 'trailers';
    const requestEnded = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;

    let up: http2.ClientHttp2Stream;
    try {
      up = pool.get(target).request(reqHeaders, { endStream: requestEnded, waitForTrailers: !requestEnded });
    } catch (err) {
      respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err }));
      return;
    }

    let reqTrailers: OutgoingHttpHeaders | undefined;
    let respTrailers: OutgoingHttpHeaders | undefined;
    stream.on('trailers', (t: IncomingHttpHeaders) => (reqTrailers = t));
    up.on('wantTrailers', () => up.sendTrailers(reqTrailers ?? {}));
    if (!requestEnded) stream.pipe(up);

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
      if (!endStream) up.pipe(stream);
    });
    up.on('trailers', (t: IncomingHttpHeaders) => (respTrailers = t));
    stream.on('wantTrailers', () => stream.sendTrailers(respTrailers ?? {}));

    up.on('error', (err) => {
      if (!stream.headersSent) respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err }));
    });
    up.on('close', () => {
      const code = up.rstCode ?? NGHTTP2_NO_ERROR;
      if (stream.closed || stream.destroyed) return;
      if (!stream.headersSent) {
        respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: new Error(`upstream stream closed (code ${code})`) }));
      } else if (code !== NGHTTP2_NO_ERROR) {
        stream.close(code);
      }
    });
    stream.on('close', () => {
      if (!up.closed && !up.destroyed) up.close(stream.rstCode && stream.rstCode !== NGHTTP2_NO_ERROR ? stream.rstCode : NGHTTP2_CANCEL);
    });
  };
}
