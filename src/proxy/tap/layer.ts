// Tap layers: while nobody taps, one branch per request. While a tap is open, each request is
// described and offered to the taps; a claimed request has its response head, body writes and
// end watched on this response object only (its methods wrapped for this request), so requests
// nobody claimed pay nothing more.
import http2 from 'node:http2';
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Address } from '../../lib/address.js';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import type { H1Request } from '../http/h1/request.js';
import type { H1Response } from '../http/h1/response.js';
import type { HttpRoute } from '../http/route.js';
import type { Eos, Headers } from './events.js';
import { describeRequest, ObservedRequest } from './observed.js';
import type { Taps } from './taps.js';

export function tapH1(taps: Taps): H1Layer {
  return (next) => (req, res, route) => {
    if (taps.active) observeH1(taps, req, res, route);
    next(req, res, route);
  };
}

export function tapH2(taps: Taps): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    if (taps.active) observeH2(taps, stream, headers, route);
    next(stream, headers, flags, route);
  };
}

function peer(s: Socket | undefined): Address | undefined {
  return s?.remoteAddress && s.remotePort ? { host: s.remoteAddress, port: s.remotePort } : undefined;
}

function local(s: Socket | undefined): Address | undefined {
  return s?.localAddress && s.localPort ? { host: s.localAddress, port: s.localPort } : undefined;
}

function pairs(flat: readonly string[]): Headers {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

function objectPairs(h: Record<string, unknown>): Headers {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(h)) {
    if (Array.isArray(v)) for (const x of v) out.push([k, String(x)]);
    else if (v !== undefined) out.push([k, String(v)]);
  }
  return out;
}

/** HTTP/1 connections have no reset codes: a response cut short is reported as INTERNAL_ERROR. */
const H1_CUT_SHORT: Eos = { resetCode: http2.constants.NGHTTP2_INTERNAL_ERROR };

function observeH1(taps: Taps, req: H1Request, res: H1Response, route: HttpRoute): void {
  const info = describeRequest(route, req.method, peer(req.socket), local(req.socket));
  const o = ObservedRequest.start(taps, info, route.startMs, () => pairs(req.headers));
  if (!o) return;
  const { writeHead, write, writeRaw } = res;
  res.writeHead = (status, reason, headers, framing, held) => {
    o.responseStarted(status, () => pairs(headers));
    return writeHead.call(res, status, reason, headers, framing, held);
  };
  res.write = (chunk) => {
    o.bytes += chunk.length;
    return write.call(res, chunk);
  };
  res.writeRaw = (chunk) => {
    o.bytes += chunk.length;
    return writeRaw.call(res, chunk);
  };
  res.onClose((finished) => {
    if (res.headersSent) o.responseStarted(res.statusCode, () => []);
    o.ended(finished ? undefined : H1_CUT_SHORT);
  });
}

function observeH2(taps: Taps, stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders, route: HttpRoute): void {
  const socket = stream.session?.socket as Socket | undefined;
  const info = describeRequest(route, String(headers[':method'] ?? 'GET'), peer(socket), local(socket));
  const o = ObservedRequest.start(taps, info, route.startMs, () => objectPairs(headers));
  if (!o) return;
  const { respond, write } = stream;
  stream.respond = (h, opts) => {
    o.responseStarted(Number(h?.[':status'] ?? 200), () => objectPairs(h ?? {}));
    return respond.call(stream, h, opts);
  };
  // pipe() and direct writers both go through write(); count what is handed to the stream.
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) o.bytes += Buffer.byteLength(chunk as string | Buffer);
    return (write as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
  }) as typeof stream.write;
  stream.once('close', () => {
    const sent = stream.sentHeaders ?? {};
    const trailers = stream.sentTrailers;
    const grpc = trailers?.['grpc-status'] ?? sent['grpc-status'];
    const reset = stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR;
    const eos: Eos = reset ? { resetCode: stream.rstCode } : grpc !== undefined ? { grpcStatus: Number(grpc) } : undefined;
    o.ended(eos, trailers ? () => objectPairs(trailers) : undefined);
  });
}
