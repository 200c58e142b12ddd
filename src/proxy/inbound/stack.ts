// The inbound stack: traffic arriving for the workload. Read top to bottom:
//   accept -> app address (configured, or the original destination's port on localhost)
//     -> TCP metrics -> detect protocol (opaque ports skip)
//     http1/h2 -> route to the app -> metrics -> forward over pooled connections to the app
//     tls/opaque -> TCP forward to the app
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Address } from '../../lib/address.js';
import { PLAINTEXT, tcpLabels, type ConnContext } from '../context.js';
import { detectProtocol } from '../detect/detect.js';
import { forwardH1 } from '../http/h1-forward.js';
import { forwardH2 } from '../http/h2-forward.js';
import { H2SessionPool } from '../http/h2-pool.js';
import { routeFromRequestTarget } from '../http/route.js';
import { serveHttp } from '../http/serve.js';
import { observeH1, observeH2 } from '../metrics/http-observe.js';
import type { ConnectionStack, StackDeps } from '../stack-deps.js';
import { ConnectionTracker } from '../tcp/connections.js';
import { forwardTcp } from '../tcp/forward.js';

export function inboundStack({ cfg, log: parentLog, metrics, origDst }: StackDeps): ConnectionStack {
  const log = parentLog.child('inbound');
  const tracker = new ConnectionTracker(metrics);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo', timeout: cfg.idleTimeoutMs });
  const h2Pool = new H2SessionPool({ connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs });
  const tcpOpts = { connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, log };

  /** The app is on this host: the configured address, else the redirected port on loopback. */
  const appAddress = (socket: Socket): Address | undefined => {
    if (cfg.inboundDefaultDst) return cfg.inboundDefaultDst;
    const od = origDst.lookup(socket);
    return od ? { host: '127.0.0.1', port: od.port } : undefined;
  };

  const httpServe = serveHttp({
    maxHeaderBytes: cfg.maxHeaderBytes,
    headersTimeoutMs: cfg.headersTimeoutMs,
    idleTimeoutMs: cfg.idleTimeoutMs,
    tunnel: tcpOpts,
    allowConnect: false,
    // Inbound requests always go to the app, whatever URI form they use.
    routeH1: (req, ctx, startMs) => ({ ...routeFromRequestTarget(req.url ?? '/', req.headers.host, ctx, startMs), target: ctx.target }),
    routeH2: (headers, ctx, startMs) => ({ ctx, authority: headers[':authority'] ?? '', target: ctx.target, path: headers[':path'] ?? '/', startMs }),
    h1: observeH1(metrics)(forwardH1({ agent, connectTimeoutMs: cfg.connectTimeoutMs })),
    h2: observeH2(metrics)(forwardH2(h2Pool)),
  });

  return {
    accept(socket: Socket) {
      const target = appAddress(socket);
      const ctx: ConnContext = { direction: 'inbound', target, tls: PLAINTEXT, log };
      tracker.track(socket, tcpLabels(ctx));
      httpServe.bind(socket, ctx);
      const opaque = (s: Socket): void => void forwardTcp(s, target, tcpOpts);
      detectProtocol(socket, { timeoutMs: cfg.detectTimeoutMs, skip: !!target && cfg.opaquePorts.has(target.port) }, {
        http1: httpServe.http1,
        h2: httpServe.h2,
        tls: opaque,
        opaque,
      });
    },
    async drain(deadlineMs) {
      httpServe.drain();
      const timer = setInterval(() => httpServe.drain(), 100);
      await tracker.waitClosed(deadlineMs);
      clearInterval(timer);
      h2Pool.close();
      agent.destroy();
    },
    get openConnections() {
      return tracker.size;
    },
  };
}
