// The HTTP side of a listener: the proxy's own HTTP/1 engine (one H1ServerConnection per
// connection) and one HTTP/2 server shared by the listener's connections. Each request is
// routed (where does it go?) and handed to the listener's handler chain, inside the fault
// guard: a handler that throws closes its own connection or stream, nothing else.
import diagnostics from 'node:diagnostics_channel';
import type { IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseAuthority, type Address } from '../../lib/address.js';
import { HeaderTooLargeError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { ConnContext } from '../context.js';
import type { FaultGuard } from '../guard.js';
import type { H1Handler } from './h1-forward.js';
import { upgradeTunnel, writeRawError, type TunnelOptions } from './h1-tunnel.js';
import type { H1Request } from './h1/request.js';
import { H1ServerConnection } from './h1/server.js';
import { respondH2Error, type H2Handler } from './h2-forward.js';
import { h2HeaderLimitExceeded } from './h2-header-limit.js';
import { createH2Server, type H2Limits } from './h2-server.js';
import type { HttpRoute } from './route.js';

export interface HttpLimits {
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly h2: H2Limits;
}

/** The HTTP limits of a listener, from the proxy's config. */
export function httpLimits(cfg: HttpLimits): HttpLimits {
  return {
    maxHeaderBytes: cfg.maxHeaderBytes,
    maxHeaderCount: cfg.maxHeaderCount,
    headersTimeoutMs: cfg.headersTimeoutMs,
    keepAliveTimeoutMs: cfg.keepAliveTimeoutMs,
    idleTimeoutMs: cfg.idleTimeoutMs,
    h2: cfg.h2,
  };
}

export interface HttpServeOptions {
  readonly limits: HttpLimits;
  readonly tunnel: TunnelOptions;
  /**
   * `CONNECT host:port` (explicit-proxy mode, outbound only): the listener takes the tunnel's
   * bytes as a new connection to that address. Absent: CONNECT is refused with 405.
   */
  readonly connect?: (target: Address, socket: Socket) => void;
  readonly routeH1: (req: H1Request, ctx: ConnContext, startMs: number) => HttpRoute;
  readonly routeH2: (headers: IncomingHttpHeaders, ctx: ConnContext, startMs: number) => HttpRoute;
  /** Completes an Upgrade request's route (discovery: endpoints, identity) before tunnelling. */
  readonly routeUpgrade?: (route: HttpRoute, req: H1Request) => Promise<HttpRoute>;
  readonly h1: H1Handler;
  readonly h2: H2Handler;
  /** Closes a connection or stream whose handling threw, and counts it. */
  readonly guard: FaultGuard;
  /** Counts a limit that refused or closed something (header size, slow client, reset flood). */
  readonly onLimit: (limit: string) => void;
  readonly log: Logger;
}

export interface HttpServe {
  /** Serves an accepted connection (detect left it paused, peeked bytes put back) as HTTP/1. */
  http1(socket: Socket, ctx: ConnContext): void;
  /** Serves an accepted connection as HTTP/2 (prior knowledge). */
  h2(socket: Socket, ctx: ConnContext): void;
  /** Stop keeping connections alive: close idle HTTP/1 connections, GOAWAY HTTP/2 sessions. */
  drain(): void;
}

/**
 * Published for each HTTP/1 request as it enters the handler chain ({ request, ctx }), for
 * tooling and tests, as undici names its channels; costs one check when nobody subscribes.
 */
export const H1_REQUEST_CHANNEL = diagnostics.channel('weft:proxy:http1:request');

export function serveHttp(opts: HttpServeOptions): HttpServe {
  const { guard, limits } = opts;
  let draining = false;
  const h1Conns = new Set<H1ServerConnection>();
  const h1Options = {
    maxHeadBytes: limits.maxHeaderBytes,
    maxHeaders: limits.maxHeaderCount,
    headersTimeoutMs: limits.headersTimeoutMs,
    keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
    idleTimeoutMs: limits.idleTimeoutMs,
    onLimit: opts.onLimit,
    log: opts.log,
  };
  const h2Options = { maxHeaderBytes: limits.maxHeaderBytes, maxHeaderCount: limits.maxHeaderCount, idleTimeoutMs: limits.idleTimeoutMs, headersTimeoutMs: limits.headersTimeoutMs, h2: limits.h2, guard, onLimit: opts.onLimit };
  const h2Server = createH2Server<ConnContext>(h2Options, (stream, headers, flags, ctx) => {
    const over = h2HeaderLimitExceeded(headers, limits);
    if (over) {
      opts.onLimit(over === 'bytes' ? 'h2_header_too_large' : 'h2_too_many_headers');
      return respondH2Error(stream, headers, new HeaderTooLargeError(limits.maxHeaderBytes, over === 'count' ? limits.maxHeaderCount : undefined));
    }
    opts.h2(stream, headers, flags, opts.routeH2(headers, ctx, performance.now()));
  });

  const tunnel = (ctx: ConnContext) => (req: H1Request, socket: Socket, rest: Buffer): void => {
    guard.run('h1_upgrade', () => {
      if (req.method === 'CONNECT') {
        const target = parseAuthority(req.target, 443);
        if (!opts.connect) return writeRawError(socket, 405, 'Method Not Allowed', 'CONNECT is only accepted on the outbound listener');
        if (!target) return writeRawError(socket, 400, 'Bad Request', 'CONNECT needs host:port');
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (rest.length > 0) socket.unshift(rest);
        opts.connect(target, socket);
        // The engine left the socket paused; the new connection's detect layer reads it now.
        socket.resume();
        return;
      }
      const route = opts.routeH1(req, ctx, performance.now());
      const routed = opts.routeUpgrade ? opts.routeUpgrade(route, req).catch(() => route) : Promise.resolve(route);
      void routed.then((r) => guard.run('h1_upgrade', () => void upgradeTunnel(req, socket, rest, r, opts.tunnel), () => socket.destroy()));
    }, () => socket.destroy());
  };

  return {
    http1: (socket, ctx) => {
      const conn = new H1ServerConnection(socket, h1Options, {
        request: (req, res) =>
          guard.run('h1_request', () => {
            if (H1_REQUEST_CHANNEL.hasSubscribers) H1_REQUEST_CHANNEL.publish({ request: req, ctx });
            if (draining) res.closeAfterResponse();
            opts.h1(req, res, opts.routeH1(req, ctx, performance.now()));
          }, () => socket.destroy()),
        tunnel: tunnel(ctx),
      });
      h1Conns.add(conn);
      socket.once('close', () => h1Conns.delete(conn));
      if (draining) conn.drain();
      // The detect layer left the socket paused with the peeked bytes put back.
      socket.resume();
    },
    h2: (socket, ctx) => guard.run('h2_session', () => h2Server.accept(socket, ctx), () => socket.destroy()),
    drain() {
      draining = true;
      for (const c of h1Conns) c.drain();
      h2Server.drain();
    },
  };
}
