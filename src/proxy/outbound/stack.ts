// The outbound stack: traffic leaving the workload. Read top to bottom, it is the request path:
//   accept -> original destination -> detect protocol (opaque ports skip) -> TCP metrics
//     http1/h2 -> route (proxy-form URI | :authority | original destination; expected identity)
//              -> metrics -> forward over pooled upstream connections (mTLS when meshed)
//     tls/opaque -> TCP forward to the original destination (mTLS + transport header when meshed)
import type { Socket } from 'node:net';
import { formatAddress, parseAuthority, type Address } from '../../lib/address.js';
import { PLAINTEXT, tcpLabels, type ConnContext, type TlsStatus } from '../context.js';
import { detectProtocol } from '../detect/detect.js';
import { forwardH1 } from '../http/h1-forward.js';
import { forwardH2 } from '../http/h2-forward.js';
import { routeFromRequestTarget, type HttpRoute } from '../http/route.js';
import { serveHttp } from '../http/serve.js';
import { observeH1, observeH2 } from '../metrics/http-observe.js';
import type { ConnectionStack, StackDeps } from '../stack-deps.js';
import { ConnectionTracker } from '../tcp/connections.js';
import { forwardTcp, type TcpConnect } from '../tcp/forward.js';
import { createUpstream, drainStack } from '../upstream.js';

export function outboundStack({ cfg, log: parentLog, metrics, origDst, mesh }: StackDeps): ConnectionStack {
  const log = parentLog.child('outbound');
  const tracker = new ConnectionTracker(metrics);
  const upstream = createUpstream(cfg, log, mesh);

  // Until discovery answers for a target, the static destination's identity is the only one known.
  const identityFor = (target: Address | undefined): string | undefined =>
    target && cfg.outboundDefaultDst && cfg.outboundDefaultDstIdentity && formatAddress(target) === formatAddress(cfg.outboundDefaultDst)
      ? cfg.outboundDefaultDstIdentity
      : undefined;
  const withIdentity = (r: HttpRoute): HttpRoute => ({ ...r, identity: identityFor(r.target) });

  const httpServe = serveHttp({
    maxHeaderBytes: cfg.maxHeaderBytes,
    headersTimeoutMs: cfg.headersTimeoutMs,
    idleTimeoutMs: cfg.idleTimeoutMs,
    tunnel: upstream.tcp,
    allowConnect: true,
    routeH1: (req, ctx, startMs) => {
      const r = routeFromRequestTarget(req.url ?? '/', req.headers.host, ctx, startMs);
      // Explicit-proxy mode without an original destination: the Host header names the target.
      return withIdentity(r.target ? r : { ...r, target: parseAuthority(r.authority, 80) });
    },
    routeH2: (headers, ctx, startMs) => {
      const authority = headers[':authority'] ?? '';
      return withIdentity({ ctx, authority, target: ctx.target ?? parseAuthority(authority, 80), path: headers[':path'] ?? '/', startMs });
    },
    h1: observeH1(metrics)(forwardH1({ agent: upstream.agent, meshAgent: upstream.meshAgent, connectTimeoutMs: cfg.connectTimeoutMs })),
    h2: observeH2(metrics)(forwardH2(upstream.h2Pool)),
  });

  return {
    accept(socket: Socket) {
      const target = origDst.lookup(socket);
      const identity = identityFor(target);
      const tls: TlsStatus = identity ? { tls: 'true', noTlsReason: '', clientId: '', serverId: identity } : PLAINTEXT;
      const ctx: ConnContext = { direction: 'outbound', target, tls, log };
      httpServe.bind(socket, ctx);
      const meshedConnect: TcpConnect | undefined =
        identity && mesh ? (t) => mesh.connect(t, identity, { port: t.port, protocol: 'opaque' }) : undefined;
      const opaque = (s: Socket): void => {
        tracker.track(s, tcpLabels(ctx));
        void forwardTcp(s, target, upstream.tcp, meshedConnect);
      };
      const http = (serve: (s: Socket) => void) => (s: Socket): void => {
        tracker.track(s, tcpLabels({ ...ctx, tls: PLAINTEXT }));
        serve(s);
      };
      detectProtocol(socket, { timeoutMs: cfg.detectTimeoutMs, skip: !!target && cfg.opaquePorts.has(target.port) }, {
        http1: http(httpServe.http1),
        h2: http(httpServe.h2),
        tls: opaque, // the app's own TLS: not ours to terminate
        opaque,
      });
    },
    drain: (deadlineMs) => drainStack(httpServe, tracker, upstream, deadlineMs),
    get openConnections() {
      return tracker.size;
    },
  };
}
