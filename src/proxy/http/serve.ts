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
import { connectTunnel, upgradeTunnel, type TunnelOptions } from './h1-tunnel.js';
import { createH2Server } from './h2-server.js';
import type { H2Handler } from './h2-forward.js';
import { writeRawError } from './h1-server.js';
import type { HttpRoute } from './route.js';

export interface HttpServeOptions {
  readonly maxHeaderBytes: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly tunnel: TunnelOptions;
  /** Whether `CONNECT host:port` is accepted (explicit-proxy mode, outbound only). */
  readonly allowConnect: boolean;
  readonly routeH1: (req: IncomingMessage, ctx: ConnContext, startMs: number) => HttpRoute;
  readonly routeH2: (headers: IncomingHttpHeaders, ctx: ConnContext, startMs: number) => HttpRoute;
  /** Completes an Upgrade request's route (discovery: endpoints, identity) before tunnelling. */
  readonly routeUpgrade?: (route: HttpRoute, req: IncomingMessage) => Promise<HttpRoute>;
  readonly h1: H1Handler;
  readonly h2: H2Handler;
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
  const ctxOf = (s: Socket): ConnContext => contexts.get(s) as ConnContext;

  const h1Server = createH1Server(
    { maxHeaderBytes: opts.maxHeaderBytes, headersTimeoutMs: opts.headersTimeoutMs, keepAliveTimeoutMs: 60_000, log: opts.tunnel.log },
    {
      request(req, res) {
        if (draining) res.setHeader('connection', 'close');
        opts.h1(req, res, opts.routeH1(req, ctxOf(req.socket), performance.now()));
      },
      upgrade(req, socket, head) {
        const route = opts.routeH1(req, ctxOf(socket), performance.now());
        const routed = opts.routeUpgrade ? opts.routeUpgrade(route, req).catch(() => route) : Promise.resolve(route);
        void routed.then((r) => upgradeTunnel(req, socket, head, r, opts.tunnel));
      },
      connect(req, socket, head) {
        if (!opts.allowConnect) writeRawError(socket, 405, 'Method Not Allowed', 'CONNECT is only accepted on the outbound listener');
        else void connectTunnel(req, socket, head, opts.tunnel);
      },
    },
  );
  const h2Server = createH2Server<ConnContext>({ maxHeaderBytes: opts.maxHeaderBytes, idleTimeoutMs: opts.idleTimeoutMs }, (stream, headers, flags, ctx) => {
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
    h2: (socket) => h2Server.accept(socket, ctxOf(socket)),
    drain() {
      draining = true;
      h1Server.closeIdleConnections();
      h2Server.drain();
    },
  };
}
