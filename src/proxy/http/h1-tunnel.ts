// HTTP/1.1 Upgrade tunnels (WebSocket and friends): the request is relayed to the upstream on a
// fresh connection (mTLS to a meshed endpoint) and, once it answers 101, both connections are
// joined as opaque byte streams; an upstream that declines relays its ordinary response and the
// connection closes. (CONNECT is not a tunnel here: the outbound stack serves its bytes as a
// connection to the named address.)
import type { Socket } from 'node:net';
import { formatAddress } from '../../lib/address.js';
import type { Logger } from '../../lib/log.js';
import { pipeBoth } from '../tcp/forward.js';
import { BodyReader } from './h1/body.js';
import { findHeadEnd, parseResponseHead, responseFraming } from './h1/head.js';
import { endToEnd, headerLines, safeValue } from './h1/headers.js';
import type { H1Pool } from './h1/pool.js';
import type { H1Request } from './h1/request.js';
import { RESPONSE_LIMITS } from './h1/upstream.js';
import { PROXY_ERROR_HEADER } from './proxy-error.js';
import { pickEndpoint, type HttpRoute, type PickedEndpoint } from './route.js';

export interface TunnelOptions {
  readonly pool: H1Pool;
  readonly idleTimeoutMs: number;
  readonly log: Logger;
}

/** The proxy's own error as a complete response on a socket that then closes. */
export function writeRawError(socket: Socket, status: number, text: string, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${PROXY_ERROR_HEADER}: ${safeValue(reason)}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
}

/** Relays an Upgrade request; joins the connections when the upstream switches protocols. */
export async function upgradeTunnel(req: H1Request, socket: Socket, rest: Buffer, route: HttpRoute, opts: TunnelOptions): Promise<void> {
  // The engine has let go of the socket: from here its errors are ours to catch (the client
  // may leave while the upstream is being reached).
  socket.on('error', () => socket.destroy());
  let ep: PickedEndpoint | undefined;
  try {
    ep = pickEndpoint(route);
  } catch (err) {
    return writeRawError(socket, 503, 'Service Unavailable', (err as Error).message);
  }
  if (!ep) return writeRawError(socket, 502, 'Bad Gateway', 'no destination for upgrade request');
  const endpoint = ep;
  let up: Socket;
  try {
    up = await opts.pool.connect(endpoint.target, endpoint.identity);
  } catch (err) {
    endpoint.done(false);
    const cause = (err as Error).cause instanceof Error ? `: ${((err as Error).cause as Error).message}` : '';
    return writeRawError(socket, 502, 'Bad Gateway', `connect to ${formatAddress(endpoint.target)} failed: ${(err as Error).message}${cause}`);
  }
  if (socket.destroyed) {
    endpoint.done(false);
    return void up.destroy();
  }
  // Every tunnel has its own connection: its latency is the time to the answer on it.
  endpoint.connected?.();
  up.on('error', () => {});
  let joined = false;
  socket.once('close', () => {
    if (!joined) up.destroy();
  });
  const headers = endToEnd(req.headers, req.head.connection);
  up.write(`${req.method} ${route.path} HTTP/1.1\r\n${headerLines(headers)}upgrade: ${req.head.upgrade ?? ''}\r\nconnection: upgrade\r\n\r\n`, 'latin1');

  let buf: Buffer = Buffer.alloc(0);
  const onData = (c: Buffer): void => {
    buf = buf.length === 0 ? c : Buffer.concat([buf, c]);
    let end: number;
    try {
      end = findHeadEnd(buf, 0, RESPONSE_LIMITS.maxHeadBytes);
      if (end < 0) return;
      const head = parseResponseHead(buf, 0, end, RESPONSE_LIMITS);
      up.off('data', onData);
      up.off('end', onEnd);
      if (head.status === 101) {
        joined = true;
        endpoint.done(true);
        socket.write(buf.subarray(0, end));
        if (buf.length > end) socket.write(buf.subarray(end));
        if (rest.length > 0) up.write(rest);
        pipeBoth(socket, up, opts.idleTimeoutMs);
        socket.resume();
        return;
      }
      // Declined: relay the ordinary response, then close.
      endpoint.done(head.status < 500);
      declined(head, end);
    } catch (err) {
      endpoint.done(false);
      up.destroy();
      writeRawError(socket, 502, 'Bad Gateway', `malformed upgrade response from ${formatAddress(endpoint.target)}: ${(err as Error).message}`);
    }
  };
  const declined = (head: ReturnType<typeof parseResponseHead>, end: number): void => {
    const reader = new BodyReader(responseFraming(head, req.method));
    const framing = reader.framing;
    let out = `HTTP/1.1 ${head.status} ${head.reason}\r\n${headerLines(endToEnd(head.headers, head.connection))}`;
    if (framing.kind === 'length') out += `content-length: ${framing.length}\r\n`;
    else if (framing.kind === 'chunked') out += 'transfer-encoding: chunked\r\n';
    socket.write(`${out}connection: close\r\n\r\n`, 'latin1');
    const feed = (c: Buffer): void => {
      reader.feed(c, 0, { raw: (b) => void socket.write(b) });
      if (reader.done) {
        up.destroy();
        socket.end();
      }
    };
    up.on('data', feed);
    up.once('end', () => {
      reader.eof();
      socket.end();
    });
    if (buf.length > end) feed(buf.subarray(end));
    else if (reader.done) feed(Buffer.alloc(0));
  };
  const onEnd = (): void => {
    endpoint.done(false);
    writeRawError(socket, 502, 'Bad Gateway', `${formatAddress(endpoint.target)} closed before answering the upgrade`);
  };
  up.on('data', onData);
  up.once('end', onEnd);
}
