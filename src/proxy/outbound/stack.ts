// The outbound stack: traffic leaving the workload. Read top to bottom, it is the request path:
//   accept -> original destination -> TCP metrics -> detect protocol (opaque ports skip)
//     http1/h2 -> route (proxy-form URI | :authority | original destination)
//              -> metrics -> forward over pooled upstream connections
//     tls/opaque -> TCP forward to the original destination
import http from 'node:http';
import type { Socket } from 'node:net';
import { parseAuthority } from '../../lib/address.js';
import { PLAINTEXT, tcpLabels, type ConnContext } from '../context.js';
import { detectProtocol } from '../detect/detect.js';
import { forwardH1 } from '../http/h1-forward.js';
import { forwardH2 } from '../http/h2-forward.js';
import { H2SessionPool } from '../http/h2-pool.js';
import { routeFromRequestTarget, type HttpRoute } from '../http/route.js';
import { serveHttp } from '../http/serve.js';
import { observeH1, observeH2 } from '../metrics/http-observe.js';
import type { ConnectionStack, StackDeps } from '../stack-deps.js';
import { ConnectionTracker } from '../tcp/connections.js';
import { forwardTcp } from '../tcp/forward.js';

export function outboundStack({ cfg, log: parentLog, metrics, origDst }: StackDeps): ConnectionStack {
  const log = parentLog.child('outbound');
  const tracker = new ConnectionTracker(metrics);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo', timeout: cfg.idleTimeoutMs });
  const h2Pool = new H2SessionPool({ connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs });
  const tcpOpts = { connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, log };

  const httpServe = serveHttp({
    maxHeaderBytes: cfg.maxHeaderBytes,
    headersTimeoutMs: cfg.headersTimeoutMs,
    idleTimeoutMs: cfg.idleTimeoutMs,
    tunnel: tcpOpts,
    allowConnect: true,
    routeH1: (req, ctx, startMs) => {
      const r = routeFromRequestTarget(req.url ?? '/', req.headers.host, ctx, startMs);
      // Explicit-proxy mode without an original destination: the Host header names the target.
      return r.target ? r : { ...r, target: parseAuthority(r.authority, 80) };
    },
    routeH2: (headers, ctx, startMs): HttpRoute => {
      const authority = headers[':authority'] ?? '';
      return { ctx, authority, target: ctx.target ?? parseAuthority(authority, 80), path: headers[':path'] ?? '/', startMs };
    },
    h1: observeH1(metrics)(forwardH1({ agent, connectTimeoutMs: cfg.connectTimeoutMs })),
    h2: observeH2(metrics)(forwardH2(h2Pool)),
  });

  return {
    accept(socket: Socket) {
      const target = origDst.lookup(socket);
      const ctx: ConnContext = { direction: 'outbound', target, tls: PLAINTEXT, log };
      tracker.track(socket, tcpLabels(ctx));
      httpServe.bind(socket, ctx);
      const opaque = (s: Socket): void => void forwardTcp(s, target, tcpOpts);
      detectProtocol(socket, { timeoutMs: cfg.detectTimeoutMs, skip: !!target && cfg.opaquePorts.has(target.port) }, {
        http1: httpServe.http1,
        h2: httpServe.h2,
        tls: opaque, // the app's own TLS: not ours to terminate
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
