// The proxy's configuration: environment variable names are exported constants, parsed once
// at start into a frozen, typed ProxyConfig that is passed down. Nothing deeper reads
// process.env. Same variables whether the local runtime or the injector starts the proxy.
import { fs } from '../lib/builtins.js';
import { ConfigError } from '../lib/errors.js';
import { parseAddress, type Address } from '../lib/address.js';
import { isLogLevel, type LogLevel } from '../lib/log.js';
import { parseInboundPolicy, POLICY_DEFAULTS } from './policy/config.js';
import type { InboundPolicyConfig } from './policy/config.js';
import { DEFAULT_CLUSTER_NETWORKS } from './policy/default-policy.js';
import type { H2Limits } from './http/h2-server.js';

export const ENV = {
  outboundListen: 'WEFT_PROXY_OUTBOUND_LISTEN_ADDR',
  inboundListen: 'WEFT_PROXY_INBOUND_LISTEN_ADDR',
  adminListen: 'WEFT_PROXY_ADMIN_LISTEN_ADDR',
  outboundDefaultDst: 'WEFT_PROXY_OUTBOUND_DEFAULT_DST',
  inboundDefaultDst: 'WEFT_PROXY_INBOUND_DEFAULT_DST',
  detectTimeoutMs: 'WEFT_PROXY_DETECT_TIMEOUT_MS',
  opaquePorts: 'WEFT_PROXY_OPAQUE_PORTS',
  maxHeaderBytes: 'WEFT_PROXY_MAX_HEADER_BYTES',
  maxHeaderCount: 'WEFT_PROXY_MAX_HEADER_COUNT',
  keepAliveTimeoutMs: 'WEFT_PROXY_HTTP_KEEPALIVE_TIMEOUT_MS',
  headersTimeoutMs: 'WEFT_PROXY_HTTP_HEADERS_TIMEOUT_MS',
  idleTimeoutMs: 'WEFT_PROXY_IDLE_TIMEOUT_MS',
  tcpIdleTimeoutMs: 'WEFT_PROXY_TCP_IDLE_TIMEOUT_MS',
  connectTimeoutMs: 'WEFT_PROXY_CONNECT_TIMEOUT_MS',
  shutdownGraceMs: 'WEFT_PROXY_SHUTDOWN_GRACE_MS',
  logLevel: 'WEFT_PROXY_LOG_LEVEL',
  intercept: 'WEFT_PROXY_INTERCEPT',
  outboundDefaultDstIdentity: 'WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY',
  identityDisabled: 'WEFT_PROXY_IDENTITY_DISABLED',
  identitySvcAddr: 'WEFT_PROXY_IDENTITY_SVC_ADDR',
  identitySvcName: 'WEFT_PROXY_IDENTITY_SVC_NAME',
  identityLocalName: 'WEFT_PROXY_IDENTITY_LOCAL_NAME',
  identityTrustAnchors: 'WEFT_PROXY_IDENTITY_TRUST_ANCHORS',
  identityTrustAnchorsFile: 'WEFT_PROXY_IDENTITY_TRUST_ANCHORS_FILE',
  identityTokenFile: 'WEFT_PROXY_IDENTITY_TOKEN_FILE',
  destinationSvcAddr: 'WEFT_PROXY_DESTINATION_SVC_ADDR',
  destinationContext: 'WEFT_PROXY_DESTINATION_CONTEXT',
  inboundPeerPort: 'WEFT_PROXY_INBOUND_PEER_PORT',
  http1OverH2: 'WEFT_PROXY_MESH_HTTP1_OVER_H2',
  retryBufferBytes: 'WEFT_PROXY_RETRY_BUFFER_BYTES',
  upstreamUserTimeoutMs: 'WEFT_PROXY_UPSTREAM_USER_TIMEOUT_MS',
  tapListen: 'WEFT_PROXY_TAP_LISTEN_ADDR',
  tapSvcName: 'WEFT_PROXY_TAP_SVC_NAME',
  tapDisabled: 'WEFT_PROXY_TAP_DISABLED',
  tapMaxEventsPerSecond: 'WEFT_PROXY_TAP_MAX_EVENTS_PER_SECOND',
  accessLog: 'WEFT_PROXY_ACCESS_LOG',
  routeCostSample: 'WEFT_PROXY_ROUTE_COST_SAMPLE',
  policySvcAddr: 'WEFT_PROXY_POLICY_SVC_ADDR',
  policyWorkload: 'WEFT_PROXY_POLICY_WORKLOAD',
  inboundDefaultPolicy: 'WEFT_PROXY_INBOUND_DEFAULT_POLICY',
  inboundClusterNetworks: 'WEFT_PROXY_INBOUND_CLUSTER_NETWORKS',
  policyInitialWaitMs: 'WEFT_PROXY_POLICY_INITIAL_WAIT_MS',
  inboundPorts: 'WEFT_PROXY_INBOUND_PORTS',
  mirrorMaxInFlight: 'WEFT_PROXY_MIRROR_MAX_IN_FLIGHT',
  dnsDiscovery: 'WEFT_PROXY_DNS_DISCOVERY',
  dnsServers: 'WEFT_PROXY_DNS_SERVERS',
  traceCollectorSvcAddr: 'WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR',
  traceSamplingRate: 'WEFT_PROXY_TRACE_SAMPLING_RATE',
  traceServiceName: 'WEFT_PROXY_TRACE_SERVICE_NAME',
  maxConnections: 'WEFT_PROXY_MAX_CONNECTIONS',
  h2MaxConcurrentStreams: 'WEFT_PROXY_H2_MAX_CONCURRENT_STREAMS',
  h2ResetBurst: 'WEFT_PROXY_H2_RESET_BURST',
  h2ResetsPerSecond: 'WEFT_PROXY_H2_RESETS_PER_SECOND',
  h2MaxSessionMemoryMb: 'WEFT_PROXY_H2_MAX_SESSION_MEMORY_MB',
} as const;

/** The tap server (served only when the proxy has an identity and a tap identity is named). */
export interface TapConfig {
  readonly listen: Address;
  /** The tap component's identity, spiffe://...: the only client allowed to tap. */
  readonly svcName: string;
  /** Events per second per tap stream; more are dropped and counted. */
  readonly maxEventsPerSecond: number;
}

export type AccessLogFormat = 'apache' | 'json';


/** Distributed tracing (absent: off, and the trace layers are not in the stacks). */
export interface TraceConfig {
  /** host:port of the OTLP/HTTP collector. */
  readonly collector: string;
  /** 0..1: share of requests without a trace context that start a trace. */
  readonly samplingRate: number;
  /** The spans' service.name. */
  readonly serviceName: string;
}

/** How the proxy obtains its certificate (absent: identity disabled, plaintext only). */
export interface IdentityConfig {
  /** host:port of the identity service. */
  readonly svcAddr: string;
  /** TLS name of the identity service, when not the default. */
  readonly svcName: string | undefined;
  /** This proxy's SPIFFE identity. */
  readonly localName: string;
  readonly trustAnchorsPem: string;
  readonly tokenFile: string;
}

/** Linkerd's default opaque ports: protocols where the server speaks first or detection is unsafe. */
export const DEFAULT_OPAQUE_PORTS: readonly number[] = [25, 587, 3306, 4444, 5432, 6379, 9300, 11211];

export interface ProxyConfig {
  readonly outboundListen: Address;
  readonly inboundListen: Address;
  readonly adminListen: Address;
  /** Static original destination for outbound connections (until/unless interception gives one). */
  readonly outboundDefaultDst: Address | undefined;
  /** Where inbound traffic goes when the connection does not say (the app's address). */
  readonly inboundDefaultDst: Address | undefined;
  readonly detectTimeoutMs: number;
  readonly opaquePorts: ReadonlySet<number>;
  readonly maxHeaderBytes: number;
  /** Header fields in a request head (more: 431, never silently dropped). */
  readonly maxHeaderCount: number;
  readonly headersTimeoutMs: number;
  /** An idle HTTP/1 keep-alive connection from a client is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /**
   * An opaque TCP or upgraded (WebSocket, CONNECT) connection silent both ways this long is
   * reset; 0 (the default) never: a database pool's connection may idle for an hour, and a
   * vanished peer is found by TCP keep-alive instead (tcp/forward.ts).
   */
  readonly tcpIdleTimeoutMs: number;
  /** Connections each listener (outbound, inbound) holds at most; more are closed at accept. */
  readonly maxConnections: number;
  readonly h2: H2Limits;
  readonly connectTimeoutMs: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
  /** Use SO_ORIGINAL_DST (iptables REDIRECT) for the original destination. */
  readonly intercept: boolean;
  /** Expected identity of the static outbound destination: when set, that hop is mTLS. */
  readonly outboundDefaultDstIdentity: string | undefined;
  readonly identity: IdentityConfig | undefined;
  /** host:port of the destination service; absent: no discovery, original destinations only. */
  readonly destinationSvcAddr: string | undefined;
  /** Sent with lookups (Linkerd's context token, `{"ns":"<namespace>"}`) so short names resolve. */
  readonly destinationContext: string;
  /** Inbound port of peer proxies: meshed opaque connections go there directly. */
  readonly inboundPeerPort: number;
  /** Carry HTTP/1 between meshed proxies over one multiplexed HTTP/2 connection (default on; off: pooled mTLS connections). */
  readonly http1OverH2: boolean;
  /** Request body bytes kept so a retryable request can be sent again (and gRPC response bytes held for its trailers). */
  readonly retryBufferBytes: number;
  /**
   * TCP_USER_TIMEOUT on upstream connections: sent data unacknowledged this long ends the
   * connection (a partition is noticed without waiting for the idle timeout).
   */
  readonly upstreamUserTimeoutMs: number;
  /** Absent: no tap server (no tap identity named, or tap disabled). */
  readonly tap: TapConfig | undefined;
  /** One line per request to stderr; absent: off. */
  readonly accessLog: AccessLogFormat | undefined;
  /** Per-route bytes and CPU: 1 in N routed requests has its CPU time measured; 0: off. */
  readonly routeCostSample: number;
  /** Inbound authorization: the policy API and the default policy (policy/config.ts). */
  readonly inboundPolicy: InboundPolicyConfig;
  /**
   * The policy API for outbound routes (HTTPRoute/GRPCRoute): WEFT_PROXY_POLICY_SVC_ADDR, else
   * the destination service; absent with no discovery. Needs no workload (the target is asked about).
   */
  readonly outboundPolicySvcAddr: string | undefined;
  /** Bound on mirrored (shadow) requests in flight. */
  readonly mirrorMaxInFlight: number;
  /** Names the destination service does not know (or with none) are resolved through DNS. */
  readonly dnsDiscovery: boolean;
  /** DNS servers ("host:port") for that; empty: the system's. */
  readonly dnsServers: readonly string[];
  readonly trace: TraceConfig | undefined;
}

export const DEFAULTS = {
  outboundListen: '127.0.0.1:4140',
  inboundListen: '0.0.0.0:4143',
  adminListen: '0.0.0.0:4191',
  detectTimeoutMs: 10_000,
  maxHeaderBytes: 16 * 1024,
  // hyper's (and so Linkerd's) limit on header fields.
  maxHeaderCount: 100,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 60_000,
  idleTimeoutMs: 300_000,
  tcpIdleTimeoutMs: 0,
  connectTimeoutMs: 1_000,
  shutdownGraceMs: 30_000,
  logLevel: 'info',
  inboundPeerPort: 4143,
  // Off: pooled mTLS HTTP/1 between meshed proxies costs the pair less than Linkerd's streams of
  // one HTTP/2 connection (bench/RESULTS.md 14:35 and 15:21, medians of 3: 1.3-2.0× the
  // throughput, 152-181 against 223-259 µs per request, a lower p50 added). It lost requests
  // under load until a pooled connection stopped coming back paused (h1/upstream.ts).
  http1OverH2: false,
  retryBufferBytes: 64 * 1024,
  upstreamUserTimeoutMs: 10_000,
  tapListen: '0.0.0.0:4190',
  tapMaxEventsPerSecond: 1000,
  // Shadow traffic (RequestMirror) may add at most this many requests in flight; more are dropped.
  mirrorMaxInFlight: 100,
  routeCostSample: 16,
  // 20,000 idle connections hold ~110 MB (5.3 KB each, bench/RESULTS.md): a bound, not a target.
  maxConnections: 20_000,
  h2MaxConcurrentStreams: 1000,
  // The rapid-reset budget (h2-server.ts): below nghttp2's own 1000 burst / 33 per second.
  h2ResetBurst: 500,
  h2ResetsPerSecond: 30,
  h2MaxSessionMemoryMb: 64,
} as const;

/** The HTTP/2 limits with no variable set (tests build servers with them). */
export const DEFAULT_H2_LIMITS: H2Limits = {
  maxConcurrentStreams: DEFAULTS.h2MaxConcurrentStreams,
  resetBurst: DEFAULTS.h2ResetBurst,
  resetsPerSecond: DEFAULTS.h2ResetsPerSecond,
  maxSessionMemoryMb: DEFAULTS.h2MaxSessionMemoryMb,
};

/**
 * Each variable's default as it would be written in the environment ('' for none) and what it
 * sets: the list `weft proxy --help` prints. Keyed like ENV, so a new variable without an entry
 * does not compile; defaults come from DEFAULTS, the values parseProxyConfig falls back to.
 */
export const ENV_HELP: { readonly [K in keyof typeof ENV]: readonly [dflt: string, meaning: string] } = {
  outboundListen: [DEFAULTS.outboundListen, 'outbound listener: traffic leaving the workload'],
  inboundListen: [DEFAULTS.inboundListen, 'inbound listener: traffic for the workload, meshed mTLS'],
  adminListen: [DEFAULTS.adminListen, 'admin: /metrics, /ready, /live, POST /shutdown'],
  outboundDefaultDst: ['', 'static original destination of outbound connections (host:port)'],
  outboundDefaultDstIdentity: ['', 'its expected identity: that hop is mTLS'],
  inboundDefaultDst: ['127.0.0.1:<original port>', "where inbound traffic goes: the app's address"],
  intercept: ['false', 'take original destinations from SO_ORIGINAL_DST: iptables REDIRECT'],
  detectTimeoutMs: [String(DEFAULTS.detectTimeoutMs), 'protocol detection timeout; silence is opaque TCP'],
  opaquePorts: [DEFAULT_OPAQUE_PORTS.join(','), 'ports and ranges that skip detection: opaque TCP'],
  maxHeaderBytes: [String(DEFAULTS.maxHeaderBytes), 'HTTP header block limit; 431 above it'],
  maxHeaderCount: [String(DEFAULTS.maxHeaderCount), 'HTTP header fields in a request; 431 above it'],
  headersTimeoutMs: [String(DEFAULTS.headersTimeoutMs), 'time a client has to send its headers, else 408'],
  keepAliveTimeoutMs: [String(DEFAULTS.keepAliveTimeoutMs), 'an idle HTTP/1 client connection is closed after this'],
  idleTimeoutMs: [String(DEFAULTS.idleTimeoutMs), 'idle bound: an HTTP/1 client the proxy waits on, an HTTP/2 session with no open stream, pooled connections'],
  tcpIdleTimeoutMs: ['0 (never)', 'an opaque TCP or upgraded (WebSocket, CONNECT) connection silent both ways this long is reset; dead peers are found by TCP keep-alive'],
  maxConnections: [String(DEFAULTS.maxConnections), 'connections per listener; more are closed at accept and counted'],
  h2MaxConcurrentStreams: [String(DEFAULTS.h2MaxConcurrentStreams), 'HTTP/2 streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)'],
  h2ResetBurst: [String(DEFAULTS.h2ResetBurst), 'HTTP/2 streams a client may reset in a burst before GOAWAY (rapid reset)'],
  h2ResetsPerSecond: [String(DEFAULTS.h2ResetsPerSecond), 'then this many resets a second'],
  h2MaxSessionMemoryMb: [String(DEFAULTS.h2MaxSessionMemoryMb), "an HTTP/2 session's buffered memory bound (nghttp2); above it new streams are refused"],
  connectTimeoutMs: [String(DEFAULTS.connectTimeoutMs), 'upstream connect timeout'],
  shutdownGraceMs: [String(DEFAULTS.shutdownGraceMs), 'drain deadline on SIGTERM or POST /shutdown'],
  logLevel: [DEFAULTS.logLevel, 'error, warn, info, debug or trace'],
  identityDisabled: ['false', 'no identity: plaintext only'],
  identitySvcAddr: ['', 'identity service host:port; set, the proxy gets a certificate'],
  identitySvcName: ['', "identity service's TLS name, when not the default"],
  identityLocalName: ['', "this proxy's identity, spiffe://<trust-domain>/ns/<ns>/sa/<sa>"],
  identityTrustAnchors: ['', 'trust anchors (PEM)'],
  identityTrustAnchorsFile: ['', 'trust anchors file (PEM), when not given inline'],
  identityTokenFile: ['', 'join token file for the identity service'],
  destinationSvcAddr: ['', 'destination service host:port; unset: no discovery'],
  destinationContext: ['', 'context token sent with lookups, {"ns":"<namespace>"}'],
  inboundPeerPort: [String(DEFAULTS.inboundPeerPort), "peers' inbound port for meshed opaque TCP when discovery does not name it"],
  http1OverH2: [String(DEFAULTS.http1OverH2), "carry HTTP/1 between meshed proxies as streams of one HTTP/2 connection (Linkerd's way); false: over pooled mTLS HTTP/1 connections"],
  retryBufferBytes: [String(DEFAULTS.retryBufferBytes), 'request body kept for retries; a larger body is never retried'],
  upstreamUserTimeoutMs: [String(DEFAULTS.upstreamUserTimeoutMs), 'TCP_USER_TIMEOUT upstream: unacknowledged data this long ends the connection'],
  tapListen: [DEFAULTS.tapListen, 'tap: io.linkerd.proxy.tap.Tap/Observe over mTLS'],
  tapSvcName: ['', "the tap component's identity (spiffe://...); set, with an identity, the proxy serves tap"],
  tapDisabled: ['false', 'no tap server even when a tap identity is named'],
  tapMaxEventsPerSecond: [String(DEFAULTS.tapMaxEventsPerSecond), 'tap events per second per tap stream; more are dropped and counted'],
  accessLog: ['', 'apache or json: one line per request to stderr; unset: off'],
  routeCostSample: [String(DEFAULTS.routeCostSample), 'per-route cost: bytes of every request on a route, proxy CPU time of 1 in N; 0: off'],
  policySvcAddr: ['<destination svc addr>', 'policy API host:port: inbound (needs a workload) and outbound routes (with discovery)'],
  policyWorkload: ['<from the destination context>', 'this proxy\'s workload for the policy API, {"ns":"<ns>","pod":"<pod>"}'],
  inboundDefaultPolicy: [POLICY_DEFAULTS.defaultPolicy, 'policy before/without an answer: all-unauthenticated, all-authenticated, cluster-authenticated, cluster-unauthenticated, deny, audit'],
  inboundClusterNetworks: [DEFAULT_CLUSTER_NETWORKS, 'CIDRs the cluster-* default policies allow'],
  policyInitialWaitMs: [String(POLICY_DEFAULTS.initialWaitMs), "a port's first request waits this long for its policy, then the default applies"],
  inboundPorts: ['', "the workload's ports (comma-separated): their policies are fetched at start"],
  mirrorMaxInFlight: [String(DEFAULTS.mirrorMaxInFlight), 'RequestMirror copies in flight at most; further copies are dropped and counted'],
  dnsDiscovery: ['true', 'resolve names unknown to discovery through DNS (TTLs honoured, answers balanced); false: connect to the name as given'],
  dnsServers: ['', 'DNS servers for that, host:port,...; unset: the system resolver'],
  traceCollectorSvcAddr: ['(none: tracing off)', 'OTLP/HTTP collector host:port: spans are exported there (docs/tracing.md)'],
  traceSamplingRate: ['0', 'share (0..1) of requests without a trace context that start a trace; requests with one follow its decision'],
  traceServiceName: ['weft-proxy', "the spans' service.name"],
};

function traceConfig(env: Env): TraceConfig | undefined {
  const collector = env[ENV.traceCollectorSvcAddr];
  if (!collector) return undefined;
  address(env, ENV.traceCollectorSvcAddr); // validates host:port
  const raw = env[ENV.traceSamplingRate] ?? '';
  const rate = raw === '' ? 0 : Number(raw);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new ConfigError(`${ENV.traceSamplingRate}=${raw}: expected a number from 0 to 1`);
  return Object.freeze({ collector, samplingRate: rate, serviceName: env[ENV.traceServiceName] || 'weft-proxy' });
}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name}=${raw}: expected a positive integer`);
  return n;
}

function nonNegativeInt(env: Env, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}=${raw}: expected a non-negative integer (0: off)`);
  return n;
}

function address(env: Env, name: string, dflt?: string): Address | undefined {
  const raw = env[name] || dflt;
  if (!raw) return undefined;
  try {
    return parseAddress(raw, '127.0.0.1');
  } catch (e) {
    throw new ConfigError(`${name}=${raw}: expected host:port`, { cause: e });
  }
}

function ports(env: Env, name: string, dflt: readonly number[]): ReadonlySet<number> {
  const raw = env[name];
  if (raw === undefined) return new Set(dflt);
  const out = new Set<number>();
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    const lo = range ? Number(range[1]) : NaN;
    const hi = range?.[2] ? Number(range[2]) : lo;
    if (!range || lo < 1 || hi > 65535 || hi < lo || hi - lo > 65535) {
      throw new ConfigError(`${name}: "${part}" is not a port or port range`);
    }
    for (let p = lo; p <= hi; p++) out.add(p);
  }
  return out;
}

function bool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name}=${env[name]}: expected true or false`);
}

function identityConfig(env: Env, readFile: (path: string) => string): IdentityConfig | undefined {
  if (bool(env, ENV.identityDisabled) || !env[ENV.identitySvcAddr]) return undefined;
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new ConfigError(`${name} is required when ${ENV.identitySvcAddr} is set`);
    return v;
  };
  address(env, ENV.identitySvcAddr); // validates host:port
  const localName = need(ENV.identityLocalName);
  if (!localName.startsWith('spiffe://')) throw new ConfigError(`${ENV.identityLocalName}=${localName}: expected spiffe://<trust-domain>/ns/<ns>/sa/<sa>`);
  let trustAnchorsPem = env[ENV.identityTrustAnchors] ?? '';
  if (!trustAnchorsPem) {
    const file = need(ENV.identityTrustAnchorsFile);
    try {
      trustAnchorsPem = readFile(file);
    } catch (e) {
      throw new ConfigError(`${ENV.identityTrustAnchorsFile}=${file}: cannot read`, { cause: e });
    }
  }
  if (!trustAnchorsPem.includes('BEGIN CERTIFICATE')) throw new ConfigError('trust anchors: no PEM certificate found');
  return Object.freeze({
    svcAddr: need(ENV.identitySvcAddr),
    svcName: env[ENV.identitySvcName] || undefined,
    localName,
    trustAnchorsPem,
    tokenFile: need(ENV.identityTokenFile),
  });
}

function tapConfig(env: Env): TapConfig | undefined {
  const svcName = env[ENV.tapSvcName];
  const listen = address(env, ENV.tapListen, DEFAULTS.tapListen) as Address;
  const maxEventsPerSecond = positiveInt(env, ENV.tapMaxEventsPerSecond, DEFAULTS.tapMaxEventsPerSecond);
  if (bool(env, ENV.tapDisabled) || !svcName) return undefined;
  if (!svcName.startsWith('spiffe://')) throw new ConfigError(`${ENV.tapSvcName}=${svcName}: expected spiffe://<trust-domain>/ns/<ns>/sa/<sa>`);
  return Object.freeze({ listen, svcName, maxEventsPerSecond });
}

function accessLog(env: Env): AccessLogFormat | undefined {
  const raw = env[ENV.accessLog];
  if (!raw) return undefined;
  if (raw === 'apache' || raw === 'json') return raw;
  throw new ConfigError(`${ENV.accessLog}=${raw}: expected apache or json`);
}

function dnsServers(env: Env): readonly string[] {
  const list = (env[ENV.dnsServers] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const one of list) {
    try {
      parseAddress(one, '127.0.0.1');
    } catch (e) {
      throw new ConfigError(`${ENV.dnsServers}: "${one}" is not host:port`, { cause: e });
    }
    if (!/:\d+$/.test(one)) throw new ConfigError(`${ENV.dnsServers}: "${one}" is not host:port`);
  }
  return list;
}

/** Parses the proxy's environment. Throws ConfigError naming the variable on bad input. */
export function parseProxyConfig(env: Env, readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8')): ProxyConfig {
  const level = env[ENV.logLevel] || DEFAULTS.logLevel;
  if (!isLogLevel(level)) throw new ConfigError(`${ENV.logLevel}=${level}: expected error|warn|info|debug|trace`);
  const cfg: ProxyConfig = {
    outboundListen: address(env, ENV.outboundListen, DEFAULTS.outboundListen) as Address,
    inboundListen: address(env, ENV.inboundListen, DEFAULTS.inboundListen) as Address,
    adminListen: address(env, ENV.adminListen, DEFAULTS.adminListen) as Address,
    outboundDefaultDst: address(env, ENV.outboundDefaultDst),
    inboundDefaultDst: address(env, ENV.inboundDefaultDst),
    detectTimeoutMs: positiveInt(env, ENV.detectTimeoutMs, DEFAULTS.detectTimeoutMs),
    opaquePorts: ports(env, ENV.opaquePorts, DEFAULT_OPAQUE_PORTS),
    maxHeaderBytes: positiveInt(env, ENV.maxHeaderBytes, DEFAULTS.maxHeaderBytes),
    maxHeaderCount: positiveInt(env, ENV.maxHeaderCount, DEFAULTS.maxHeaderCount),
    headersTimeoutMs: positiveInt(env, ENV.headersTimeoutMs, DEFAULTS.headersTimeoutMs),
    keepAliveTimeoutMs: positiveInt(env, ENV.keepAliveTimeoutMs, DEFAULTS.keepAliveTimeoutMs),
    idleTimeoutMs: positiveInt(env, ENV.idleTimeoutMs, DEFAULTS.idleTimeoutMs),
    tcpIdleTimeoutMs: nonNegativeInt(env, ENV.tcpIdleTimeoutMs, DEFAULTS.tcpIdleTimeoutMs),
    maxConnections: positiveInt(env, ENV.maxConnections, DEFAULTS.maxConnections),
    h2: {
      maxConcurrentStreams: positiveInt(env, ENV.h2MaxConcurrentStreams, DEFAULTS.h2MaxConcurrentStreams),
      resetBurst: positiveInt(env, ENV.h2ResetBurst, DEFAULTS.h2ResetBurst),
      resetsPerSecond: positiveInt(env, ENV.h2ResetsPerSecond, DEFAULTS.h2ResetsPerSecond),
      maxSessionMemoryMb: positiveInt(env, ENV.h2MaxSessionMemoryMb, DEFAULTS.h2MaxSessionMemoryMb),
    },
    connectTimeoutMs: positiveInt(env, ENV.connectTimeoutMs, DEFAULTS.connectTimeoutMs),
    shutdownGraceMs: positiveInt(env, ENV.shutdownGraceMs, DEFAULTS.shutdownGraceMs),
    logLevel: level,
    intercept: bool(env, ENV.intercept),
    outboundDefaultDstIdentity: env[ENV.outboundDefaultDstIdentity] || undefined,
    identity: identityConfig(env, readFile),
    destinationSvcAddr: env[ENV.destinationSvcAddr] ? (address(env, ENV.destinationSvcAddr), env[ENV.destinationSvcAddr]) : undefined,
    destinationContext: env[ENV.destinationContext] ?? '',
    inboundPeerPort: positiveInt(env, ENV.inboundPeerPort, DEFAULTS.inboundPeerPort),
    http1OverH2: env[ENV.http1OverH2] === undefined ? DEFAULTS.http1OverH2 : bool(env, ENV.http1OverH2),
    retryBufferBytes: positiveInt(env, ENV.retryBufferBytes, DEFAULTS.retryBufferBytes),
    upstreamUserTimeoutMs: positiveInt(env, ENV.upstreamUserTimeoutMs, DEFAULTS.upstreamUserTimeoutMs),
    tap: tapConfig(env),
    accessLog: accessLog(env),
    routeCostSample: nonNegativeInt(env, ENV.routeCostSample, DEFAULTS.routeCostSample),
    inboundPolicy: parseInboundPolicy(env, {
      svcAddr: ENV.policySvcAddr, workload: ENV.policyWorkload, defaultPolicy: ENV.inboundDefaultPolicy,
      clusterNetworks: ENV.inboundClusterNetworks, initialWaitMs: ENV.policyInitialWaitMs, ports: ENV.inboundPorts,
    }, { svcAddr: env[ENV.destinationSvcAddr] || undefined, context: env[ENV.destinationContext] ?? '' }),
    mirrorMaxInFlight: positiveInt(env, ENV.mirrorMaxInFlight, DEFAULTS.mirrorMaxInFlight),
    outboundPolicySvcAddr: env[ENV.destinationSvcAddr] ? env[ENV.policySvcAddr] || env[ENV.destinationSvcAddr] : undefined,
    // On by default, as Linkerd resolves names outside the cluster: it only ever applies to a
    // request whose target is a name the destination service did not resolve.
    dnsDiscovery: env[ENV.dnsDiscovery] === undefined || env[ENV.dnsDiscovery] === '' ? true : bool(env, ENV.dnsDiscovery),
    dnsServers: dnsServers(env),
    trace: traceConfig(env),
  };
  return Object.freeze(cfg);
}

/** The variables that configure the proxy, for /env.json (values only of weft's own variables). */
export function proxyEnvSnapshot(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('WEFT_PROXY_') && v !== undefined) out[k] = v;
  return out;
}
