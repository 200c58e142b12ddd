// One Certify call to the identity service: a unary gRPC request over node:http2 on a
// connection of its own, verified against the trust anchors and the service's TLS name.
//
// Why not @grpc/grpc-js, as the proxy's other control-plane clients use: a proxy with only an
// identity (the start-to-ready row of issue 10) would load grpc-js, @grpc/proto-loader and
// protobufjs, and parse identity.proto, for this one call a day: a third of a proxy's start to
// ready (A/B of 11 starts each, 2026-12-04, load average ~3.7: median 500 ms with grpc-js,
// 323 ms with this). Certify is a single unary
// exchange (gRPC over HTTP/2: POST, application/grpc, TE: trailers, one length-prefixed message
// each way, grpc-status in the trailers), so it is written out here; discovery and policy,
// which stream, keep grpc-js. A connection per call also means each renewal resolves and
// connects afresh, with no channel state to go stale between renewals a day apart.
import http2, { type IncomingHttpHeaders } from 'node:http2';
import { grpcMessageText } from '../http/grpc-message.js';
import { GRPC_CODE_NAMES, grpcStatusOf } from '../http/grpc-status.js';
import { CertifyFailedError } from './errors.js';
import { decodeCertifyResponse, encodeCertifyRequest, grpcFrame, grpcUnframe, type CertifyRequest, type CertifyResponse } from './certify-codec.js';

export const CERTIFY_PATH = '/io.linkerd.proxy.identity.Identity/Certify';

/** gRPC status codes this client reports of its own (the service's come from its trailers). */
const { unavailable: GRPC_UNAVAILABLE, 'deadline-exceeded': GRPC_DEADLINE_EXCEEDED, internal: GRPC_INTERNAL } = GRPC_CODE_NAMES;

/**
 * A connection (TCP and TLS) not up within this is given up, and the call retried with backoff
 * on a new one: a SYN to a Service IP whose pod is gone can go unanswered for the kernel's whole
 * retry time. The same bound as the streaming clients' (control-channel.ts, which loads grpc-js).
 */
export const CERTIFY_CONNECT_TIMEOUT_MS = 3000;

/** Far above a certificate chain (a leaf and an intermediate are ~1.5 KB): a bound, not a size. */
const MAX_RESPONSE_BYTES = 1 << 20;

export interface CertifyTarget {
  /** host:port of the identity service. */
  readonly address: string;
  /** The name its certificate must carry (checked as a TLS host name, and sent as SNI). */
  readonly serverName: string;
  readonly trustAnchorsPem: string;
  readonly timeoutMs: number;
  /** Default CERTIFY_CONNECT_TIMEOUT_MS. */
  readonly connectTimeoutMs?: number;
  /** Aborting destroys the call's connection (the client is closing). */
  readonly signal?: AbortSignal;
}

/** The outcome of a finished exchange: the response, or why there is none. */
function outcome(headers: IncomingHttpHeaders | undefined, trailers: IncomingHttpHeaders | undefined, body: Buffer, rstCode: number | undefined): CertifyResponse {
  if (!headers) throw new CertifyFailedError(`Certify: stream closed before a response (code ${rstCode ?? 0})`, { grpcCode: GRPC_UNAVAILABLE });
  const status = Number(headers[':status']);
  if (status !== 200) throw new CertifyFailedError(`Certify: HTTP status ${status} (not a gRPC service?)`, { grpcCode: GRPC_UNAVAILABLE });
  // A trailers-only answer (an error) carries grpc-status in its only header block.
  const end = trailers ?? headers;
  const code = grpcStatusOf(end);
  if (code === undefined) throw new CertifyFailedError(`Certify: response ended without grpc-status (stream code ${rstCode ?? 0})`, { grpcCode: GRPC_INTERNAL });
  if (code !== 0) throw new CertifyFailedError(`Certify: ${grpcMessageText(end['grpc-message']) || `grpc-status ${code}`}`, { grpcCode: code });
  try {
    return decodeCertifyResponse(grpcUnframe(body));
  } catch (err) {
    throw new CertifyFailedError(`Certify: undecodable response: ${(err as Error).message}`, { cause: err, grpcCode: GRPC_INTERNAL });
  }
}

export function certify(target: CertifyTarget, req: CertifyRequest): Promise<CertifyResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const session = http2.connect(`https://${target.address}`, { ca: target.trustAnchorsPem, servername: target.serverName });
    const finish = (err: Error | undefined, res?: CertifyResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(connectTimer);
      target.signal?.removeEventListener('abort', onAbort);
      session.destroy();
      if (err) reject(err);
      else resolve(res as CertifyResponse);
    };
    const onAbort = (): void => finish(new CertifyFailedError('Certify: cancelled (the identity client closed)'));
    if (target.signal?.aborted) return onAbort();
    target.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish(new CertifyFailedError(`Certify: no answer from ${target.address} within ${target.timeoutMs} ms`, { grpcCode: GRPC_DEADLINE_EXCEEDED })),
      target.timeoutMs,
    );
    const connectMs = target.connectTimeoutMs ?? CERTIFY_CONNECT_TIMEOUT_MS;
    const connectTimer = setTimeout(
      () => finish(new CertifyFailedError(`Certify: no connection to ${target.address} within ${connectMs} ms`, { grpcCode: GRPC_UNAVAILABLE })),
      connectMs,
    );
    session.once('connect', () => clearTimeout(connectTimer));
    // Connection failures: refused, unreachable, a certificate not from the anchors or not for
    // serverName. The stream may hear of it first (then as its own error, before its close).
    const unavailable = (err: Error): void => finish(new CertifyFailedError(`Certify: ${target.address}: ${err.message}`, { cause: err, grpcCode: GRPC_UNAVAILABLE }));
    session.on('error', unavailable);
    const stream = session.request({
      ':method': 'POST',
      ':path': CERTIFY_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${Math.max(1, Math.ceil(target.timeoutMs))}m`,
    });
    let headers: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > MAX_RESPONSE_BYTES) finish(new CertifyFailedError(`Certify: response larger than ${MAX_RESPONSE_BYTES} bytes`, { grpcCode: GRPC_INTERNAL }));
      else chunks.push(c);
    });
    let streamError: Error | undefined;
    stream.on('error', (err) => (streamError = err));
    stream.on('close', () => {
      if (!headers && streamError) return unavailable(streamError);
      try {
        finish(undefined, outcome(headers, trailers, Buffer.concat(chunks), stream.rstCode));
      } catch (err) {
        finish(err as Error);
      }
    });
    stream.end(grpcFrame(encodeCertifyRequest(req)));
  });
}
