// The outbound stack: traffic leaving the workload. Read top to bottom, it is the request path:
//   accept -> original destination (or a CONNECT's host:port) -> detect protocol (opaque ports skip) -> TCP metrics
//     http1/h2 -> route (proxy-form URI | :authority | original destination)
//              -> policy routes (OutboundPolicies: HTTPRoute/GRPCRoute match, faults, filters,
//                 weighted backends, retries, timeouts) when the target's Service has routes; else
//              -> discover (endpoints, profile route: retries, timeout, split; else pass through)
//              -> route cost (a routed request's bytes, and CPU time for 1 in N)
//              -> metrics -> trace span (traceparent/b3 onward) -> tap (when someone taps)
//              -> forward: balancer pick per attempt, pooled connections, mTLS when meshed
//     tls/opaque -> an EgressNetwork's address: closed under Deny, else straight out
//              -> discover -> TCP balancer pick (or the original destination)
//              -> TCP forward (mTLS + transport header when meshed)
import type { Socket } from 'node:net';
import { formatAddress, parseAuthority, type Address } from '../../lib/address.js';
import { meshedTls, PLAINTEXT, tcpLabels, type ConnContext, type TlsStatus } from '../context.js';
import { detectProtocol } from '../detect/detect.js';
import { forwardH1, type H1Handler } from '../http/h1-forward.js';
import { forwardH2, type H2Handler } from '../http/h2-forward.js';
import { discoverH1, discoverH2, discoverUpgrade } from './discover-http.js';
import { policyRoutes } from './policy-route.js';
import { EgressMetrics } from './egress-metrics.js';
import { HostAddresses, policyFor } from './egress-lookup.js';
import { dnsH1, dnsH2 } from './discover-dns.js';
import { DnsDiscovery } from './dns-discovery.js';
import { forwardH1OverH2 } from '../http/h1-over-h2.js';
import { routeFromRequestTarget, type HttpRoute } from '../http/route.js';
import { httpLimits, serveHttp } from '../http/serve.js';
import { observeH1, observeH2 } from '../metrics/http-observe.js';
import { routeCostH1, routeCostH2 } from '../metrics/route-cost.js';
import { tapH1, tapH2 } from '../tap/layer.js';
import type { ConnectionStack, StackDeps } from '../stack-deps.js';
import { ConnectionTracker } from '../tcp/connections.js';
import { forwardTcp, type TcpConnect } from '../tcp/forward.js';
import { tracing } from '../trace/layer.js';
import { createUpstream, drainStack } from '../upstream.js';

export function outboundStack({ cfg, log: parentLog, metrics, origDst, mesh, destinations, outboundPolicy, guard, taps, tracer }: StackDeps): ConnectionStack {
  const log = parentLog.child('outbound');
  const tracker = new ConnectionTracker(metrics);
  const upstream = createUpstream(cfg, log, mesh);
  const trace = tracing(tracer);

  // Until discovery answers for a target, the static destination's identity is the only one known.
  const staticDst = cfg.outboundDefaultDst && cfg.outboundDefaultDstIdentity ? cfg.outboundDefaultDst : undefined;
  const identityFor = (target: Address | undefined): string | undefined =>
    target && staticDst && target.port === staticDst.port && target.host === staticDst.host ? cfg.outboundDefaultDstIdentity : undefined;
  const withIdentity = (r: HttpRoute): HttpRoute => {
    const identity = identityFor(r.target);
    // Nearly always none (no static meshed destination): the route as it is, no copy.
    return identity === undefined ? r : { ...r, identity };
  };
  const profiles = destinations
    ? { h1: discoverH1(destinations, metrics), h2: discoverH2(destinations, metrics) }
    : { h1: (h: H1Handler) => h, h2: (h: H2Handler) => h };
  // HTTPRoutes (OutboundPolicies) win over ServiceProfiles; a target without routes goes on to the profile layer.
  // Traffic leaving the mesh (EgressNetwork): counted, and refused under trafficPolicy Deny.
  const egress = outboundPolicy ? { metrics: new EgressMetrics(metrics), hosts: new HostAddresses() } : undefined;
  const discover = destinations && outboundPolicy && egress
    ? policyRoutes({ policies: outboundPolicy, dests: destinations, metrics, log, mesh, mirrorMaxInFlight: cfg.mirrorMaxInFlight, egress: egress.metrics, hosts: egress.hosts }, profiles)
    : profiles;
  // After the destination service: names it does not know, through DNS (when configured).
  const dns = cfg.dnsDiscovery ? new DnsDiscovery(cfg.dnsServers) : undefined;
  const dnsLayer = dns ? { h1: dnsH1(dns, metrics), h2: dnsH2(dns, metrics) } : { h1: (h: H1Handler) => h, h2: (h: H2Handler) => h };

  // HTTP/1 to a meshed peer rides the shared HTTP/2 connection (weft-orig-proto); to anything
  // else it goes as it came, over pooled HTTP/1.1 connections.
  const forwardOpts = { retryBufferBytes: cfg.retryBufferBytes };
  const h1Forward = forwardH1(upstream.h1Pool, forwardOpts);
  const h1OverH2 = forwardH1OverH2(upstream.h2Pool, forwardOpts);
  const meshedHttp1: H1Handler = (req, res, route) =>
    (route.identity && mesh && cfg.http1OverH2 ? h1OverH2 : h1Forward)(req, res, route);

  const httpServe = serveHttp({
    limits: httpLimits(cfg),
    guard,
    log,
    onLimit: (limit) => metrics.limitHit('outbound', limit),
    tunnel: { pool: upstream.h1Pool, idleTimeoutMs: cfg.tcpIdleTimeoutMs, log },
    // CONNECT host:port names the destination explicitly: what flows through the tunnel is
    // served like any connection to that address (detected, discovered, meshed), so gRPC or
    // TLS through an explicit proxy gets the same treatment as intercepted traffic.
    connect: (target, socket) => serveConnection(socket, target),
    routeH1: (req, ctx, startMs) => {
      const r = routeFromRequestTarget(req.target, req.head.host, ctx, startMs);
      // Explicit-proxy mode without an original destination: the Host header names the target.
      return withIdentity(r.target ? r : { ...r, target: parseAuthority(r.authority, 80) });
    },
    routeH2: (headers, ctx, startMs) => {
      const authority = headers[':authority'] ?? '';
      return withIdentity({ ctx, authority, target: ctx.target ?? parseAuthority(authority, 80), path: headers[':path'] ?? '/', startMs });
    },
    ...(destinations
      ? { routeUpgrade: (r: HttpRoute) => discoverUpgrade(destinations, r) }
      : {}),
    h1: discover.h1(routeCostH1()(dnsLayer.h1(observeH1(metrics)(trace.h1(tapH1(taps)(meshedHttp1)))))),
    h2: discover.h2(routeCostH2()(dnsLayer.h2(observeH2(metrics)(trace.h2(tapH2(taps)(forwardH2(upstream.h2Pool, forwardOpts))))))),
  });

  /** Opaque TCP: a discovered endpoint (mTLS when meshed), else the original destination. */
  const opaqueTcp = async (s: Socket, ctx: ConnContext, staticConnect: TcpConnect | undefined, prefix?: Buffer): Promise<void> => {
    const target = ctx.target;
    const view = target && outboundPolicy && egress ? await policyFor(outboundPolicy, egress.hosts, target) : undefined;
    if (view?.egress && target && egress) {
      // An EgressNetwork's address: refused (the connection closed) or let out as it is.
      if (view.egress.opaqueDenied) {
        egress.metrics.deny(view.parent, 'opaque');
        log.info('opaque connection refused by EgressNetwork', { target: formatAddress(target), egressNetwork: `${view.parent.namespace}/${view.parent.name}` });
        s.destroy();
        return;
      }
      egress.metrics.open(view.parent);
      tracker.track(s, tcpLabels(ctx));
      return forwardTcp(s, target, upstream.tcp, staticConnect, prefix);
    }
    const dest = target && destinations ? await destinations.get(formatAddress(target)).catch(() => undefined) : undefined;
    if (!dest) {
      tracker.track(s, tcpLabels(ctx));
      return forwardTcp(s, target, upstream.tcp, staticConnect, prefix);
    }
    let lease;
    try {
      lease = dest.backend().tcp.pick();
    } catch (err) {
      log.info('no endpoint for opaque connection', { target: target ? formatAddress(target) : '', err: err as Error });
      tracker.track(s, tcpLabels(ctx));
      return forwardTcp(s, undefined, upstream.tcp);
    }
    const e = lease.endpoint;
    s.once('close', () => lease.release());
    const meshed = e.identity && mesh ? e.identity : undefined;
    tracker.track(s, tcpLabels(meshed ? { ...ctx, tls: meshedTls(meshed) } : ctx));
    // Meshed opaque traffic goes to the peer's inbound port directly, so its iptables rules do
    // not take it for an opaque app port; the transport header names the real port. Discovery
    // names that port (opaque_transport, as Linkerd's controller does); without it, our own
    // opaque ports go to WEFT_PROXY_INBOUND_PEER_PORT and others to the endpoint's port.
    const peerPort = e.opaqueTransportPort ?? (cfg.opaquePorts.has(e.port) ? cfg.inboundPeerPort : e.port);
    const connect: TcpConnect | undefined = meshed && mesh
      ? () => mesh.connect({ host: e.host, port: peerPort }, meshed, { port: e.port, protocol: 'opaque' })
      : undefined;
    return forwardTcp(s, { host: e.host, port: e.port }, upstream.tcp, connect, prefix);
  };

  /** One connection headed for `target` (its original destination, or a CONNECT's address). */
  function serveConnection(socket: Socket, target: Address | undefined): void {
    const identity = identityFor(target);
    const tls: TlsStatus = identity ? meshedTls(identity) : PLAINTEXT;
    const ctx: ConnContext = { direction: 'outbound', target, tls, log };
    const meshedConnect: TcpConnect | undefined =
      identity && mesh ? (t) => mesh.connect(t, identity, { port: t.port, protocol: 'opaque' }) : undefined;
    const opaque = (s: Socket, peek: Buffer, ended?: boolean): void => void opaqueTcp(s, ctx, meshedConnect, ended ? peek : undefined);
    const http = (serve: (s: Socket, c: ConnContext) => void) => (s: Socket): void => {
      tracker.track(s, tcpLabels({ ...ctx, tls: PLAINTEXT }));
      serve(s, ctx);
    };
    detectProtocol(socket, { timeoutMs: cfg.detectTimeoutMs, skip: !!target && cfg.opaquePorts.has(target.port) }, guard.socketHandlers('accept', {
      http1: http(httpServe.http1),
      h2: http(httpServe.h2),
      tls: opaque, // the app's own TLS: not ours to terminate
      opaque,
    }));
  }

  return {
    accept: (socket: Socket) => serveConnection(socket, origDst.lookup(socket)),
    drain: (deadlineMs) => drainStack(httpServe, tracker, upstream, deadlineMs),
    get openConnections() {
      return tracker.size;
    },
  };
}
