// HTTP/1.1 Upgrade tunnels (WebSocket and friends): the request is relayed to the upstream
// and, once it answers 101, both connections are joined as opaque byte streams. (CONNECT is not
// a tunnel here: the outbound stack serves its bytes as a connection to the named address.)
import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { formatAddress } from '../../lib/address.js';
import type { Logger } from '../../lib/log.js';
import { pipeBoth } from '../tcp/forward.js';
import { stripHopByHop } from './hop-by-hop.js';
import { writeRawError } from './h1-server.js';
import { headerSafe } from './proxy-error.js';
import { pickEndpoint, type HttpRoute, type PickedEndpoint } from './route.js';
import type { MeshConnector } from '../mesh/connector.js';

export interface TunnelOptions {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly log: Logger;
  /** mTLS to meshed peers: an upgrade to a meshed endpoint is tunnelled over it. */
  readonly mesh?: MeshConnector | undefined;
}

function rawHead(statusLine: string, rawHeaders: string[]): string {
  let s = `${statusLine}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) s += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return s + '\r\n';
}

/**
 * Relays an Upgrade request; joins the connections when the upstream switches protocols. To a
 * meshed endpoint the request (and then the tunnel) travels over mTLS.
 */
export async function upgradeTunnel(req: IncomingMessage, socket: Socket, head: Buffer, route: HttpRoute, opts: TunnelOptions): Promise<void> {
  // The HTTP server has let go of the socket: from here its errors are ours to catch (the
  // client may leave while the upstream is being reached).
  socket.on('error', () => socket.destroy());
  let ep: PickedEndpoint | undefined;
  try {
    ep = pickEndpoint(route);
  } catch (err) {
    writeRawError(socket, 503, 'Service Unavailable', headerSafe((err as Error).message));
    return;
  }
  if (!ep) {
    writeRawError(socket, 502, 'Bad Gateway', 'no destination for upgrade request');
    return;
  }
  const { target, identity } = ep;
  const endpoint = ep;
  let meshed: Socket | undefined;
  if (identity) {
    if (!opts.mesh) {
      endpoint.done(false);
      writeRawError(socket, 502, 'Bad Gateway', 'meshed target but this proxy has no identity');
      return;
    }
    try {
      meshed = await opts.mesh.connect(target, identity, { port: target.port, protocol: 'http1' });
    } catch (err) {
      endpoint.done(false);
      writeRawError(socket, 502, 'Bad Gateway', headerSafe(`connect to ${formatAddress(target)} failed: ${(err as Error).message}`));
      return;
    }
  }
  const headers = stripHopByHop(req.headers, ['upgrade']);
  headers.connection = 'upgrade';
  const up = http.request({
    host: target.host,
    port: target.port,
    method: req.method,
    path: route.path,
    headers,
    setHost: false,
    ...(meshed ? { createConnection: () => meshed } : { agent: false }),
  });
  const timer = setTimeout(() => up.destroy(new Error('connect timeout')), opts.connectTimeoutMs);
  up.once('socket', (s) => (s.connecting ? s.once('connect', () => clearTimeout(timer)) : clearTimeout(timer)));
  up.on('upgrade', (ur, upSocket, upHead) => {
    clearTimeout(timer);
    endpoint.done(true);
    joined = true;
    if (socket.destroyed) {
      upSocket.destroy();
      return;
    }
    socket.write(rawHead(`HTTP/1.1 ${ur.statusCode} ${ur.statusMessage}`, ur.rawHeaders));
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    pipeBoth(socket, upSocket, opts.idleTimeoutMs);
  });
  // The upstream declined the upgrade: relay its ordinary response and close.
  up.on('response', (ur) => {
    clearTimeout(timer);
    endpoint.done((ur.statusCode ?? 502) < 500);
    const pairs: string[] = [];
    for (let i = 0; i < ur.rawHeaders.length; i += 2) {
      const name = ur.rawHeaders[i] as string;
      if (!/^(connection|transfer-encoding|keep-alive|content-length)$/i.test(name)) pairs.push(name, ur.rawHeaders[i + 1] as string);
    }
    const chunks: Buffer[] = [];
    ur.on('data', (c: Buffer) => chunks.push(c));
    ur.on('end', () => {
      const body = Buffer.concat(chunks);
      pairs.push('content-length', String(body.length), 'connection', 'close');
      socket.end(Buffer.concat([Buffer.from(rawHead(`HTTP/1.1 ${ur.statusCode} ${ur.statusMessage}`, pairs)), body]));
    });
  });
  up.on('error', (err) => {
    clearTimeout(timer);
    endpoint.done(false);
    opts.log.debug('upgrade upstream failed', { target: formatAddress(target), err });
    writeRawError(socket, 502, 'Bad Gateway', headerSafe(`connect to ${formatAddress(target)} failed: ${err.message}`));
  });
  // A client that leaves before the upstream answered: give up on the upstream too.
  let joined = false;
  socket.once('close', () => {
    if (!joined) up.destroy();
  });
  up.end();
}
