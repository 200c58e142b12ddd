// Answers the outbound HTTP/2 side makes itself (no route, a fault, a redirect, an egress
// refusal): a plain HTTP response, or for gRPC requests a trailers-only one with grpc-status.
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { grpcMessage } from '../http/grpc-message.js';
import { isGrpcContentType } from '../http/grpc-status.js';
import { PROXY_ERROR_HEADER, headerSafe } from '../http/proxy-error.js';

/** A response the layer makes itself (fault, no route, redirect); false when the stream is gone. */
export function respond(stream: ServerHttp2Stream, h: Record<string, string | number>, body?: string): boolean {
  if (stream.destroyed || stream.closed || stream.headersSent) return false;
  try {
    stream.respond(h, { endStream: body === undefined });
    if (body !== undefined) stream.end(body);
  } catch {
    return false;
  }
  stream.resume(); // the request body is not wanted
  return true;
}

// grpc-message is percent-encoded only outside printable ASCII and for '%' (gRPC over HTTP/2);
// `safe` is already printable ASCII. (encodeURIComponent would also encode '/', which clients
// then show as "%2F".)
export function failH2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, status: number, grpcStatus: number, reason: string): void {
  const safe = headerSafe(reason);
  if (isGrpcContentType(headers)) respond(stream, { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(grpcStatus), 'grpc-message': grpcMessage(safe), [PROXY_ERROR_HEADER]: safe });
  else respond(stream, { ':status': status, 'content-type': 'text/plain; charset=utf-8', [PROXY_ERROR_HEADER]: safe }, `${reason}\n`);
}
