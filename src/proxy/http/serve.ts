// The HTTP side of a listener: one HTTP/1 and one HTTP/2 server shared by all of the
// listener's connections, with the per-connection context looked up from the socket. Each
// request is routed (where does it go?) and handed to the listener's handler chain.
import type { IncomingMessage } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ConnContext } from '../context.js';
import { createH1Server } from './h1-server.js';
import type { H1Handler } from './h1-forward.js';
import { upgradeTunnel, type TunnelOptions } from './h1-tunnel.js';
import { parseAuthority, type Address } from '../../lib/address.js';
import { createH2Server } from './h2-server.js';
import type { H2Handler } from './h2-forward.js';
import { writeRawError } from './h1-server.js';
import type { HttpRoute } from './route.js';
import type { FaultGuard } from '../guard.js';

export interface HttpServeOptions {
  readonly maxHeaderBytes: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly tunnel: TunnelOptions;
  /**
   * `CONNECT host:port` (explicit-proxy mode, outbound only): the listener takes the tunnel's
   * bytes as a new connection to that address. Absent: CONNECT is refused with 405.
   */
  readonly connect?: (target: Address, socket: Socket, head: Buffer) => void;
  readonly routeH1: (req: IncomingMessage, ctx: ConnContext, startMs: number) => HttpRoute;
  readonly routeH2: (headers: IncomingHttpHeaders, ctx: ConnContext, startMs: number) => HttpRoute;
  /** Completes an Upgrade request's route (discovery: endpoints, identity) before tunnelling. */
  readonly routeUpgrade?: (route: HttpRoute, req: IncomingMessage) => Promise<HttpRoute>;
  readonly h1: H1Handler;
  readonly h2: H2Handler;
  /** Closes a connection or stream whose handling threw, and counts it. */
  readonly guard: FaultGuard;
  /** Counts a limit that closed a connection (e.g. an HTTP/2 reset flood). */
  readonly onLimit: (limit: string) => void;
}

export interface HttpServe {
  /** Associates an accepted connection with its context (before it is handed over). */
  bind(socket: Socket, ctx: ConnContext): void;
  http1(socket: Socket): void;
  h2(socket: Socket): void;
  /** Stop keeping connections alive: close idle HTTP/1 connections, GOAWAY HTTP/2 sessions. */
  drain(): void;
}

export function serveHttp(opts: HttpServeOptions): HttpServe {
  const contexts = new WeakMap<Socket, ConnContext>();
  let draining = false;
  const { guard } = opts;
  const ctxOf = (s: Socket): ConnContext => {
    const ctx = contexts.get(s);
    if (!ctx) throw new Error('connection has no context (not bound before the hand-over)');
    return ctx;
  };
  const destroy = (socket: Socket) => (): void => void socket.destroy();

  const h1Server = createH1Server(
    { maxHeaderBytes: opts.maxHeaderBytes, headersTimeoutMs: opts.headersTimeoutMs, keepAliveTimeoutMs: 60_000, log: opts.tunnel.log },
    {
      request(req, res) {
        guard.run('h1_request', () => {
          if (draining) res.setHeader('connection', 'close');
          opts.h1(req, res, opts.routeH1(req, ctxOf(req.socket), performance.now()));
        }, destroy(req.socket));
      },
      upgrade(req, socket, head) {
        guard.run('h1_upgrade', () => {
          const route = opts.routeH1(req, ctxOf(socket), performance.now());
          const routed = opts.routeUpgrade ? opts.routeUpgrade(route, req).catch(() => route) : Promise.resolve(route);
          void routed.then((r) => guard.run('h1_upgrade', () => void upgradeTunnel(req, socket, head, r, opts.tunnel), destroy(socket)));
        }, destroy(socket));
      },
      connect(req, socket, head) {
        guard.run('h1_upgrade', () => {
          const target = parseAuthority(req.url ?? '', 443);
          if (!opts.connect) writeRawError(socket, 405, 'Method Not Allowed', 'CONNECT is only accepted on the outbound listener');
          else if (!target) writeRawError(socket, 400, 'Bad Request', 'CONNECT needs host:port');
          else {
            socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            opts.connect(target, socket, head);
          }
        }, destroy(socket));
      },
    },
  );
  const h2Server = createH2Server<ConnContext>({ maxHeaderBytes: opts.maxHeaderBytes, idleTimeoutMs: opts.idleTimeoutMs, guard, onLimit: opts.onLimit }, (stream, headers, flags, ctx) => {
    opts.h2(stream, headers, flags, opts.routeH2(headers, ctx, performance.now()));
  });

  return {
    bind: (socket, ctx) => contexts.set(socket, ctx),
    http1: (socket) => {
      h1Server.emit('connection', socket);
      // The detect layer left the socket paused with the peeked bytes unshifted; resuming
      // delivers them to the parser, which then reads the handle directly.
      socket.resume();
    },
    h2: (socket) => guard.run('h2_session', () => h2Server.accept(socket, ctxOf(socket)), destroy(socket)),
    drain() {
      draining = true;
      h1Server.closeIdleConnections();
      h2Server.drain();
    },
  };
}
