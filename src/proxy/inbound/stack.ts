// The inbound stack: traffic arriving for the workload. Read top to bottom:
//   accept -> app address (configured, or the original destination's port on localhost)
//     -> detect protocol (opaque ports skip)
//     meshed TLS (our ALPN) -> terminate mTLS, record the client identity -> transport header
//        (target port + protocol) -> http1 | h2 | opaque, as the header says; HTTP/2 streams
//        marked weft-orig-proto go to the app as HTTP/1.1 again
//     http1/h2 (plaintext) -> route to the app -> metrics -> access log (when on) -> trace span
//        (when tracing) -> tap (when someone taps) -> authorize (policy: route, client identity and address; 403 /
//        PERMISSION_DENIED) -> rate limit (429 / RESOURCE_EXHAUSTED) -> client-id header -> forward
//     other TLS / opaque -> authorize the connection (else close) -> TCP forward to the app
// Meshed clients must hold a certificate from the trust anchors (admission.ts); no target may
// be one of the proxy's own ports (own-ports.ts); refusals are counted (refusals.ts).
// The app learns the verified client identity from `weft-client-id`; any such header from
// outside the mesh is removed, and so is Linkerd's `l5d-client-id`.
import type { Socket } from 'node:net';
import type { Address } from '../../lib/address.js';
import { meshedTls, PLAINTEXT, tcpLabels, type ConnContext } from '../context.js';
import { detectProtocol } from '../detect/detect.js';
import { forwardH1, type H1Layer } from '../http/h1-forward.js';
import { forwardH2, type H2Layer } from '../http/h2-forward.js';
import { origProtoH2 } from '../http/orig-proto-server.js';
import { deleteHeader, setHeader } from '../http/h1/headers.js';
import { routeFromRequestTarget } from '../http/route.js';
import { httpLimits, serveHttp } from '../http/serve.js';
import { observeH1, observeH2 } from '../metrics/http-observe.js';
import { tapH1, tapH2 } from '../tap/layer.js';
import { accessLogH1, accessLogH2 } from '../access-log/layer.js';
import type { ConnectionStack, StackDeps } from '../stack-deps.js';
import { clientHelloHasAlpn } from '../tls/client-hello.js';
import { readTransportHeader } from '../tls/transport-header.js';
import { ConnectionTracker } from '../tcp/connections.js';
import { forwardTcp, resetSocket } from '../tcp/forward.js';
import { requireMeshIdentity } from './admission.js';
import { InboundRefusals, InboundRefusedError, refusalReason } from './refusals.js';
import { tracing } from '../trace/layer.js';
import { createUpstream, drainStack } from '../upstream.js';
import { authzLayers } from '../policy/authz-layer.js';
import { rateLimitLayers } from '../policy/rate-limit.js';

export const CLIENT_ID_HEADER = 'weft-client-id';
/** Linkerd's name for it: an app migrated from Linkerd may still read it, so it is never passed on. */
const L5D_CLIENT_ID_HEADER = 'l5d-client-id';

/** Sets weft-client-id to the verified client identity, or removes it for unverified clients. */
const clientIdH1: H1Layer = (next) => (req, res, route) => {
  if (route.ctx.tls.clientId) setHeader(req.headers, CLIENT_ID_HEADER, route.ctx.tls.clientId);
  else deleteHeader(req.headers, CLIENT_ID_HEADER);
  deleteHeader(req.headers, L5D_CLIENT_ID_HEADER);
  next(req, res, route);
};
const clientIdH2: H2Layer = (next) => (stream, headers, flags, route) => {
  if (route.ctx.tls.clientId) headers[CLIENT_ID_HEADER] = route.ctx.tls.clientId;
  else delete headers[CLIENT_ID_HEADER];
  delete headers[L5D_CLIENT_ID_HEADER];
  next(stream, headers, flags, route);
};

export function inboundStack({ cfg, log: parentLog, metrics, origDst, acceptor, localIdentity, guard, ownPorts, taps, inboundPolicy, tracer }: StackDeps): ConnectionStack {
  const log = parentLog.child('inbound');
  const refusals = new InboundRefusals(metrics);
  const tracker = new ConnectionTracker(metrics);
  const upstream = createUpstream(cfg, log, undefined);
  const authz = authzLayers(inboundPolicy, metrics, log);
  const rateLimit = rateLimitLayers(inboundPolicy, metrics);
  const trace = tracing(tracer);

  /** The app is on this host: the configured address, else the redirected port on loopback. */
  const appAddress = (port: number | undefined): Address | undefined => {
    if (cfg.inboundDefaultDst) return cfg.inboundDefaultDst;
    return port ? { host: '127.0.0.1', port } : undefined;
  };

  const httpServe = serveHttp({
    limits: httpLimits(cfg),
    guard,
    log,
    onLimit: (limit) => metrics.limitHit('inbound', limit),
    tunnel: { pool: upstream.h1Pool, idleTimeoutMs: cfg.tcpIdleTimeoutMs, log },
    // Inbound requests always go to the app, whatever URI form they use.
    routeH1: (req, ctx, startMs) => ({ ...routeFromRequestTarget(req.target, req.head.host, ctx, startMs), target: ctx.target }),
    routeH2: (headers, ctx, startMs) => ({ ctx, authority: headers[':authority'] ?? '', target: ctx.target, path: headers[':path'] ?? '/', startMs }),
    h1: observeH1(metrics)(accessLogH1(cfg.accessLog)(trace.h1(tapH1(taps)(authz.h1(rateLimit.h1(clientIdH1(forwardH1(upstream.h1Pool)))))))),
    h2: observeH2(metrics)(accessLogH2(cfg.accessLog)(trace.h2(tapH2(taps)(authz.h2(rateLimit.h2(clientIdH2(origProtoH2(upstream.h1Pool)(forwardH2(upstream.h2Pool))))))))),
  });

  /** mTLS from a meshed peer: terminate, read the transport header, dispatch on its protocol. */
  const acceptMeshed = async (raw: Socket): Promise<void> => {
    if (!acceptor) return;
    try {
      const { socket: tls, clientIdentity } = await acceptor.accept(raw);
      const header = await readTransportHeader(tls, { timeoutMs: cfg.detectTimeoutMs });
      const refusal = requireMeshIdentity({ clientIdentity, port: header.port });
      if (refusal) throw new InboundRefusedError(refusal);
      const target = appAddress(header.port);
      if (target && ownPorts.isOwn(target)) throw new InboundRefusedError('own_port');
      const ctx: ConnContext = {
        direction: 'inbound',
        target,
        tls: meshedTls(localIdentity ?? '', clientIdentity ?? ''),
        log,
        peerIp: raw.remoteAddress,
      };
      tracker.track(raw, tcpLabels(ctx));
      if (header.protocol === 'http1') httpServe.http1(tls, ctx);
      else if (header.protocol === 'http2') httpServe.h2(tls, ctx);
      else authz.tcp(ctx, () => void forwardTcp(tls, target, upstream.tcp), () => tls.destroy());
    } catch (err) {
      const reason = refusalReason(err);
      refusals.refused(reason);
      log.info('meshed connection refused', { reason, err: err as Error, peer: raw.remoteAddress });
      raw.destroy();
    }
  };

  return {
    accept(socket: Socket) {
      const od = origDst.lookup(socket);
      const target = appAddress(od?.port);
      if (target && ownPorts.isOwn(target)) {
        refusals.refused('own_port');
        log.info('inbound connection to one of the proxy\'s own ports refused', { port: target.port, peer: socket.remoteAddress });
        return resetSocket(socket);
      }
      const ctx: ConnContext = { direction: 'inbound', target, tls: PLAINTEXT, log, peerIp: socket.remoteAddress };
      const tracked = (next: (s: Socket, c: ConnContext) => void) => (s: Socket): void => {
        tracker.track(s, tcpLabels(ctx));
        next(s, ctx);
      };
      const opaque = (s: Socket, peek: Buffer, ended?: boolean): void => {
        tracker.track(s, tcpLabels(ctx));
        authz.tcp(ctx, () => void forwardTcp(s, target, upstream.tcp, undefined, ended ? peek : undefined), () => s.destroy());
      };
      // Only a connection redirected from an opaque app port skips detection; one addressed to
      // the inbound port itself may be a meshed peer's TLS, whatever the app port.
      detectProtocol(socket, { timeoutMs: cfg.detectTimeoutMs, skip: !!od && cfg.opaquePorts.has(od.port) }, guard.socketHandlers('accept', {
        http1: tracked(httpServe.http1),
        h2: tracked(httpServe.h2),
        tls: (s, peek, ended) => (acceptor && !ended && clientHelloHasAlpn(peek) ? void acceptMeshed(s) : opaque(s, peek, ended)),
        opaque,
      }));
    },
    drain: (deadlineMs) => drainStack(httpServe, tracker, upstream, deadlineMs),
    get openConnections() {
      return tracker.size;
    },
  };
}
