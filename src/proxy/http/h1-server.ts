// An HTTP/1.1 server that never listens: the detect layer hands it connections already accepted
// (emit('connection')), with the peeked bytes put back. Bad input is answered here, at the
// edge: an oversized header block gets 431, a malformed request 400, a client too slow to
// send its headers 408 — each with `weft-proxy-error` — and the socket is always released.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { PROXY_ERROR_HEADER } from './proxy-error.js';

export interface H1ServerHandlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  connect(req: IncomingMessage, socket: Socket, head: Buffer): void;
}

export interface H1ServerOptions {
  readonly maxHeaderBytes: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly log: Logger;
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request header block too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'client did not send request headers in time'],
  HPE_HEADERS_TIMEOUT: [408, 'Request Timeout', 'client did not send request headers in time'],
};

export function createH1Server(opts: H1ServerOptions, handlers: H1ServerHandlers): http.Server {
  const server = http.createServer({
    maxHeaderSize: opts.maxHeaderBytes,
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: 0, // bodies may stream for as long as they need (idle timeouts bound them)
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, opts.headersTimeoutMs),
    noDelay: true,
    requireHostHeader: false,
  });
  server.on('request', handlers.request);
  // Relay 100-continue from the upstream rather than promising it ourselves.
  server.on('checkContinue', handlers.request);
  server.on('upgrade', handlers.upgrade);
  server.on('connect', handlers.connect);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const [status, text, reason] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request', `malformed request: ${err.code ?? err.message}`];
    opts.log.debug('client error', { code: err.code, status });
    if (socket.writable && !(socket as Socket & { _httpMessage?: unknown })._httpMessage) socket.end(rawErrorResponse(status, text, reason));
    // end() flushes the response; make sure the socket is released even if the peer never reads.
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  // Connection tracking (which enforces headersTimeout and lets closeIdleConnections work) is
  // set up by Node on 'listening'; this server never listens, so start it by hand.
  server.emit('listening');
  return server;
}

/** The proxy's own error as a complete HTTP/1.1 response that closes the connection. */
function rawErrorResponse(status: number, text: string, reason: string): string {
  return `HTTP/1.1 ${status} ${text}\r\n${PROXY_ERROR_HEADER}: ${reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`;
}

/** Writes a raw HTTP/1.1 error response on a socket that is not (or no longer) HTTP-managed. */
export function writeRawError(socket: Socket, status: number, text: string, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawErrorResponse(status, text, reason));
}
