// Assembles a proxy: the outbound, inbound and admin listeners around their stacks. Used by
// main.ts (the process) and directly by tests (several proxies in one process, port 0).
import net from 'node:net';
import type http from 'node:http';
import type { Address } from '../lib/address.js';
import { Logger } from '../lib/log.js';
import { createAdminServer } from './admin/server.js';
import { proxyEnvSnapshot, type ProxyConfig } from './config.js';
import { inboundStack } from './inbound/stack.js';
import { ProxyMetrics } from './metrics/registry.js';
import { outboundStack } from './outbound/stack.js';
import type { ConnectionStack, StackDeps } from './stack-deps.js';
import { ChainedOriginalDst, StaticOriginalDst, type OriginalDst } from './tcp/original-dst.js';
import { SoOriginalDst } from './tcp/so-original-dst.js';
import { MeshConnector } from './mesh/connector.js';
import { MeshTlsAcceptor } from './tls/accept.js';
import type { TlsIdentity } from './tls/context.js';
import { OutboundDestinations } from './outbound/destinations.js';
import { registerBalancerGauge } from './outbound/balancer-metrics.js';
import { registerProcessMetrics } from './metrics/process-metrics.js';
import type { IdentityClient } from './identity/client.js';
import { FaultGuard } from './guard.js';
import { OwnPorts } from './own-ports.js';
import { REQUIRE_CLIENT_CERT } from './inbound/admission.js';
import { Taps } from './tap/taps.js';
import type { TapServer } from './tap/server.js';
import { inboundPolicySource } from './policy/source.js';
import { SpanExporter } from './trace/exporter.js';
import { Tracer } from './trace/tracer.js';

export interface ProxyOptions {
  readonly log?: Logger;
  /** Original destination for outbound connections; defaults to SO_ORIGINAL_DST (when
   * intercepting) then the configured static one. */
  readonly origDst?: OriginalDst;
  /** A ready-made identity (tests); otherwise one is obtained from the identity service. */
  readonly tlsIdentity?: TlsIdentity & { readonly localName: string };
  /** Environment shown on /env.json. */
  readonly env?: Record<string, string | undefined>;
  /** Called once a graceful shutdown requested via the admin has finished. */
  readonly onShutdown?: () => void;
}

export interface ProxyHandle {
  readonly outbound: Address;
  readonly inbound: Address;
  readonly admin: Address;
  /** The tap server's address, when the proxy serves tap. */
  readonly tap: Address | undefined;
  readonly metrics: ProxyMetrics;
  readonly log: Logger;
  /** Counts and contains exceptions in connection handling (the process guard reports here too). */
  readonly guard: FaultGuard;
  /** Resolves when the proxy holds its certificate (at once without identity). */
  readonly ready: Promise<void>;
  /** Graceful shutdown: stop accepting, let in-flight work finish (bounded), close. */
  drain(): Promise<void>;
  /** Immediate shutdown. */
  close(): Promise<void>;
}

function listen(server: net.Server | http.Server, addr: Address): Promise<Address> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      const a = server.address() as net.AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}

function closeServer(server: net.Server | http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startProxy(cfg: ProxyConfig, opts: ProxyOptions = {}): Promise<ProxyHandle> {
  const log = opts.log ?? new Logger(cfg.logLevel, 'weft-proxy');
  const metrics = new ProxyMetrics({ routeCostSampleEvery: cfg.routeCostSample });
  const guard = new FaultGuard(metrics, log);
  const intercept = cfg.intercept ? new SoOriginalDst({ onError: (err) => log.debug('SO_ORIGINAL_DST failed', { err: err as Error }) }) : undefined;
  if (intercept) {
    const a = intercept.isAvailable();
    if (a.available) log.info('transparent interception: original destinations from SO_ORIGINAL_DST');
    else log.warn('transparent interception requested but unavailable', { reason: a.reason });
  }
  const staticDst = new StaticOriginalDst(cfg.outboundDefaultDst);
  const outboundDst = opts.origDst ?? (intercept ? new ChainedOriginalDst([intercept, staticDst]) : staticDst);
  const inboundDst: OriginalDst = intercept ?? new StaticOriginalDst(undefined);

  let identityClient: IdentityClient | undefined;
  let tlsIdentity: TlsIdentity | undefined = opts.tlsIdentity;
  let localIdentity = opts.tlsIdentity?.localName;
  if (!tlsIdentity && cfg.identity) {
    // Loaded only when the proxy has an identity. gRPC (and protobuf) load only for discovery,
    // policy and tap (Certify is one plain HTTP/2 call: identity/certify-call.ts): ~18 MB of
    // RSS that a proxy without them does not need.
    const { startIdentity } = await import('./identity-wiring.js');
    identityClient = startIdentity(cfg.identity, log, metrics);
    tlsIdentity = identityClient;
    localIdentity = cfg.identity.localName;
  }
  const mesh = tlsIdentity ? new MeshConnector(tlsIdentity, cfg.connectTimeoutMs) : undefined;
  const acceptor = tlsIdentity ? new MeshTlsAcceptor(tlsIdentity, { handshakeTimeoutMs: cfg.detectTimeoutMs, requireClientCert: REQUIRE_CLIENT_CERT }) : undefined;
  const destinations = cfg.destinationSvcAddr
    ? new OutboundDestinations(new (await import('./discovery/client.js')).DiscoveryClient({ address: cfg.destinationSvcAddr, contextToken: cfg.destinationContext }))
    : undefined;
  if (destinations) registerBalancerGauge(metrics, destinations);
  const outboundPolicy = destinations && cfg.outboundPolicySvcAddr
    ? new (await import('./outbound/policy-client.js')).OutboundPolicyClient({ address: cfg.outboundPolicySvcAddr, sourceWorkload: cfg.destinationContext })
    : undefined;
  registerProcessMetrics(metrics);
  // Configured ports now (a connection may arrive before the admin listener is bound), the
  // bound ones (port 0) once known.
  const ownPorts = new OwnPorts();
  for (const a of [cfg.outboundListen, cfg.inboundListen, cfg.adminListen, ...(cfg.tap ? [cfg.tap.listen] : [])]) if (a.port) ownPorts.add(a.port);
  const taps = new Taps(metrics);
  const inboundPolicy = await inboundPolicySource(cfg.inboundPolicy, log);
  // Tracing: spans go to a batched, bounded exporter; no collector configured, no tracer at all.
  const exporter = cfg.trace
    ? new SpanExporter({ collector: cfg.trace.collector, resource: { 'service.name': cfg.trace.serviceName, ...(localIdentity ? { 'proxy.identity': localIdentity } : {}) }, log: log.child('trace') })
    : undefined;
  const tracer = exporter && cfg.trace ? new Tracer({ sink: exporter, samplingRate: cfg.trace.samplingRate }) : undefined;
  const deps: StackDeps = { cfg, log, metrics, origDst: outboundDst, mesh, acceptor, localIdentity, destinations, outboundPolicy, guard, ownPorts, taps, inboundPolicy, tracer };

  const stacks: ConnectionStack[] = [outboundStack(deps), inboundStack({ ...deps, origDst: inboundDst })];
  const servers = stacks.map((stack, i) => {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, guard.socketHandler('accept', (s) => stack.accept(s as net.Socket)));
    // Past the limit Node closes the connection at accept and says 'drop'.
    server.maxConnections = cfg.maxConnections;
    server.on('drop', () => metrics.limitHit(i === 0 ? 'outbound' : 'inbound', 'max_connections'));
    return server;
  });
  let draining: Promise<void> | undefined;
  const admin = createAdminServer({
    metrics,
    log,
    // Ready once the proxy holds its certificate (when it has an identity), until it drains.
    ready: () => !draining && (identityClient?.isReady() ?? true),
    identity: () => identityClient?.identitySnapshot(),
    env: proxyEnvSnapshot(opts.env ?? {}),
    shutdown: () => void handle.drain().then(() => opts.onShutdown?.()),
  });

  const [outbound, inbound] = await Promise.all([
    listen(servers[0] as net.Server, cfg.outboundListen),
    listen(servers[1] as net.Server, cfg.inboundListen),
  ]);
  const adminAddr = await listen(admin, cfg.adminListen);
  // Tap needs an identity to serve mTLS; gRPC loads only when tap is configured.
  let tapServer: TapServer | undefined;
  if (cfg.tap && !tlsIdentity) log.warn('tap not served: the proxy has no identity', { tapIdentity: cfg.tap.svcName });
  if (cfg.tap && tlsIdentity) {
    const { startTapServer } = await import('./tap/server.js');
    tapServer = await startTapServer({ listen: cfg.tap.listen, identity: tlsIdentity, tapIdentity: cfg.tap.svcName, taps, maxEventsPerSecond: cfg.tap.maxEventsPerSecond, log });
  }
  for (const a of [outbound, inbound, adminAddr]) ownPorts.add(a.port);
  if (tapServer) ownPorts.add(tapServer.address.port);
  log.info('proxy listening', { outbound: `${outbound.host}:${outbound.port}`, inbound: `${inbound.host}:${inbound.port}`, admin: `${adminAddr.host}:${adminAddr.port}` });

  const handle: ProxyHandle = {
    outbound,
    inbound,
    admin: adminAddr,
    tap: tapServer?.address,
    metrics,
    log,
    guard,
    ready: identityClient?.ready ?? Promise.resolve(),
    drain() {
      draining ??= (async () => {
        log.info('draining', { open: stacks.reduce((n, s) => n + s.openConnections, 0) });
        const closed = Promise.all(servers.map(closeServer));
        await Promise.all(stacks.map((s) => s.drain(cfg.shutdownGraceMs)));
        await closed;
        admin.closeAllConnections();
        await closeServer(admin);
        await tapServer?.close();
        identityClient?.close();
        destinations?.close();
        outboundPolicy?.close();
        inboundPolicy?.close();
        await exporter?.close();
        log.info('drained');
      })();
      return draining;
    },
    async close() {
      await tapServer?.close();
      identityClient?.close();
      destinations?.close();
      outboundPolicy?.close();
      inboundPolicy?.close();
      await Promise.all(stacks.map((s) => s.drain(0)));
      await exporter?.close();
      await Promise.all(servers.map(closeServer));
      admin.closeAllConnections();
      await closeServer(admin);
    },
  };
  return handle;
}
