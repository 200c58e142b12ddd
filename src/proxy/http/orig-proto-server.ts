// Server side of HTTP/1 carried over the meshed HTTP/2 connection: a stream marked
// `weft-orig-proto: HTTP/1.1` goes to the app as HTTP/1.1 again, over the inbound's pooled
// keep-alive connections (the HTTP/1 engine's client); other streams continue as HTTP/2.
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import http2 from 'node:http2';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError } from '../../lib/errors.js';
import { bodilessKeepsLength, type Framing } from './h1/head.js';
import { endToEnd, fromHeaderObject, getHeader, headerLines, toHeaderObject } from './h1/headers.js';
import type { H1Pool } from './h1/pool.js';
import type { UpstreamConnection } from './h1/upstream.js';
import { respondH2Error, type H2Handler, type H2Layer } from './h2-forward.js';
import { ORIG_PROTO_HEADER, TRANSFER_CODINGS_HEADER } from './h1-over-h2.js';

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_INTERNAL_ERROR } = http2.constants;
const SKIP = new Set([ORIG_PROTO_HEADER, 'content-length', 'host']);

export function origProtoH2(pool: H1Pool): H2Layer {
  return (next: H2Handler): H2Handler => (stream: ServerHttp2Stream, headers, flags, route) => {
    if (headers[ORIG_PROTO_HEADER] !== 'HTTP/1.1') return next(stream, headers, flags, route);
    stream.on('error', () => {});
    const target = route.target;
    if (!target) return respondH2Error(stream, headers, new NoDestinationError('no application address'));
    const method = String(headers[':method'] ?? 'GET');
    const ended = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    const cl = headers['content-length'];
    const framing: Framing = ended ? { kind: 'none' } : typeof cl === 'string' && /^\d{1,15}$/.test(cl) ? { kind: 'length', length: Number(cl) } : { kind: 'chunked' };
    let head = `${method} ${headers[':path'] ?? '/'} HTTP/1.1\r\nhost: ${headers[':authority'] ?? ''}\r\n${headerLines(fromHeaderObject(headers, SKIP))}`;
    if (framing.kind === 'length') head += `content-length: ${framing.length}\r\n`;
    else if (framing.kind === 'chunked') head += 'transfer-encoding: chunked\r\n';
    head += '\r\n';

    const start = (conn: UpstreamConnection): void => {
      if (stream.destroyed) return conn.finish(true);
      let trailers: readonly string[] = [];
      const ex = conn.start(method, head, framing, {
        informational: () => {},
        response(h, respFraming) {
          route.upstreamClock?.answered();
          if (stream.destroyed || stream.closed) return 'discard';
          const out: OutgoingHttpHeaders = { ...toHeaderObject(endToEnd(h.headers, h.connection)), ':status': h.status };
          if ((respFraming.kind === 'chunked' || respFraming.kind === 'close') && respFraming.codings) out[TRANSFER_CODINGS_HEADER] = respFraming.codings;
          // The length goes on (HTTP/2 allows it): the client side restates it rather than
          // chunking a sized body, and a bodiless answer keeps the size it states.
          const cl = respFraming.kind === 'length' || (respFraming.kind === 'none' && bodilessKeepsLength(h.status)) ? getHeader(h.headers, 'content-length') : undefined;
          if (cl !== undefined) out['content-length'] = cl;
          const noBody = respFraming.kind === 'none';
          try {
            stream.respond(out, { endStream: noBody, waitForTrailers: !noBody });
          } catch {
            ex.abort();
            return 'discard';
          }
          if (!noBody) stream.once('wantTrailers', () => stream.sendTrailers(trailers.length ? toHeaderObject(trailers) : {}));
          return 'payload';
        },
        body(chunk) {
          const ok = stream.write(chunk);
          if (!ok) stream.once('drain', () => ex.resumeResponse());
          return ok;
        },
        end(t) {
          trailers = t;
          if (!stream.destroyed && !stream.writableEnded) stream.end();
        },
        error(err) {
          if (!stream.headersSent) respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err }));
          else if (!stream.destroyed) stream.close(NGHTTP2_INTERNAL_ERROR);
        },
      });
      stream.once('close', () => {
        if (!stream.writableFinished) ex.abort();
      });
      if (framing.kind === 'none') return ex.endRequest();
      stream.on('data', (c: Buffer) => {
        if (!ex.write(c)) {
          stream.pause();
          ex.onRequestDrain(() => stream.resume());
        }
      });
      stream.once('end', () => ex.endRequest());
    };
    route.upstreamClock?.waiting();
    let acquired;
    try {
      acquired = pool.acquire(target);
    } catch (err) {
      return respondH2Error(stream, headers, err);
    }
    if (!(acquired instanceof Promise)) return start(acquired);
    stream.pause();
    acquired.then(
      (c) => {
        stream.resume();
        start(c);
      },
      (err: unknown) => respondH2Error(stream, headers, err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(target), { cause: err })),
    );
  };
}
