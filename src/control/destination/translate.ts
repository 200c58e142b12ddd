// Store resources -> Linkerd-compatible destination messages. Pure functions over ClusterState,
// so the server's fan-out computes each answer once per change, not once per subscriber.
import { isIP, isIPv4 } from 'node:net';
import type { WeightedAddr } from '../../api/gen/io/linkerd/proxy/destination/WeightedAddr.js';
import type { TcpAddress } from '../../api/gen/io/linkerd/proxy/net/TcpAddress.js';
import type { DestinationProfile } from '../../api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import type { RequestMatch } from '../../api/gen/io/linkerd/proxy/destination/RequestMatch.js';
import type { ResponseMatch } from '../../api/gen/io/linkerd/proxy/destination/ResponseMatch.js';
import type { RetryBudget } from '../../api/gen/io/linkerd/proxy/destination/RetryBudget.js';
import type { Endpoint, EndpointSlice, RequestMatchSpec, ResponseMatchSpec, RetryBudgetSpec, Service, ServicePort } from '../store/types.js';
import type { ClusterState, PodAddress } from './cluster-state.js';
import { svcKey } from './cluster-state.js';
import { serviceFqdn } from './authority.js';

export interface TranslateOptions {
  readonly trustDomain: string;
  readonly clusterDomain: string;
}

/** Linkerd's weight for an endpoint of equal standing. */
export const DEFAULT_WEIGHT = 10_000;
/** A pod's proxy inbound port when its targetRef does not say (weft's and Linkerd's default). */
export const DEFAULT_PROXY_INBOUND_PORT = 4143;
const REGISTERED_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'HEAD', 'TRACE']);

export function tcpAddress(ip: string, port: number): TcpAddress {
  if (isIPv4(ip)) {
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    return { ip: { ipv4: n }, port };
  }
  // fixed64 halves as decimal strings: protobufjs encodes those exactly (a JS number would not).
  const v = ipv6ToBigInt(ip);
  const first = String(v >> 64n) as unknown as number;
  const last = String(v & 0xffff_ffff_ffff_ffffn) as unknown as number;
  return { ip: { ipv6: { first, last } }, port };
}

function ipv6ToBigInt(ip: string): bigint {
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

export function addrKey(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export interface EndpointSet {
  /** false: no such service (or port) — the proxy should fall back to the original destination. */
  readonly exists: boolean;
  readonly addrs: ReadonlyMap<string, WeightedAddr>;
  readonly setLabels: Readonly<Record<string, string>>;
}

export function weightedAddr(e: Endpoint, ip: string, port: number, opaque: boolean, opts: TranslateOptions): WeightedAddr {
  const labels: Record<string, string> = {};
  const ref = e.targetRef;
  if (ref?.kind === 'Pod') {
    labels['pod'] = ref.name;
    labels['serviceaccount'] = ref.serviceAccountName;
  }
  if (e.zone) labels['zone'] = e.zone;
  const w: WeightedAddr = { addr: tcpAddress(ip, port), weight: DEFAULT_WEIGHT, metricLabels: labels };
  // Endpoints backed by a pod are taken to be meshed: they get an identity to verify and a hint.
  if (ref?.kind === 'Pod') {
    const sa = ref.serviceAccountName;
    w.tlsIdentity = {
      uriLikeIdentity: { uri: `spiffe://${opts.trustDomain}/ns/${ref.namespace}/sa/${sa}` },
      serverName: { name: `${sa}.${ref.namespace}.serviceaccount.identity.weft.${opts.trustDomain}` },
    };
    // On an opaque port, Linkerd's proxy reaches the peer through its inbound port, which it
    // learns only from opaque_transport (weft's proxy falls back to WEFT_PROXY_INBOUND_PEER_PORT).
    w.protocolHint = opaque
      ? { opaque: {}, opaqueTransport: { inboundPort: ref.proxyInboundPort ?? DEFAULT_PROXY_INBOUND_PORT } }
      : { h2: {} };
  }
  return w;
}

/** The slice port that serves a service port: same name, else a numeric targetPort, else the port. */
function slicePort(slice: EndpointSlice, sp: ServicePort): number | undefined {
  const byName = slice.ports.find((p) => p.name === sp.name);
  if (byName) return byName.port;
  if (typeof sp.targetPort === 'string') return undefined;
  return sp.targetPort ?? sp.port;
}

export function opaquePorts(state: ClusterState, svc: Service, opts: TranslateOptions): ReadonlySet<number> {
  const fqdn = serviceFqdn({ name: svc.metadata.name, namespace: svc.metadata.namespace }, opts.clusterDomain);
  return new Set(state.profiles.get(`${svc.metadata.namespace}/${fqdn}`)?.spec.opaquePorts ?? []);
}

/**
 * Whether a pod port is opaque: it serves a port of one of the pod's services that the
 * service's profile lists as opaque — the rule a service lookup applies to the same endpoint.
 */
export function podPortOpaque(state: ClusterState, owners: readonly PodAddress[], port: number, opts: TranslateOptions): boolean {
  return owners.some(({ serviceKey, slice }) => {
    const svc = state.services.get(serviceKey);
    if (!svc) return false;
    const opaque = opaquePorts(state, svc, opts);
    return svc.spec.ports.some((sp) => opaque.has(sp.port) && slicePort(slice, sp) === port);
  });
}

/** Endpoints for an IP:port: a cluster IP answers as its service, a pod IP as that one endpoint. */
export function ipEndpoints(state: ClusterState, ip: string, port: number, opts: TranslateOptions): EndpointSet {
  const svc = state.serviceByClusterIp(ip);
  if (svc) return serviceEndpoints(state, svc.metadata.namespace, svc.metadata.name, port, opts);
  const owners = state.endpointsAt(ip, port);
  const first = owners[0];
  if (!first) return { exists: false, addrs: new Map(), setLabels: {} };
  const w = weightedAddr(first.endpoint, ip, port, podPortOpaque(state, owners, port, opts), opts);
  return { exists: true, addrs: new Map([[addrKey(ip, port), w]]), setLabels: {} };
}

export function serviceEndpoints(state: ClusterState, namespace: string, name: string, port: number, opts: TranslateOptions): EndpointSet {
  const svc = state.services.get(svcKey(namespace, name));
  const sp = svc?.spec.ports.find((p) => p.port === port);
  if (!svc || !sp) return { exists: false, addrs: new Map(), setLabels: {} };
  const opaque = opaquePorts(state, svc, opts).has(port);
  const addrs = new Map<string, WeightedAddr>();
  for (const slice of state.slices.get(svcKey(namespace, name))?.values() ?? []) {
    const p = slicePort(slice, sp);
    if (p === undefined) continue;
    for (const e of slice.endpoints) {
      if (!e.ready) continue;
      // FQDN-typed slices hold host names: the API carries IP addresses only.
      for (const ip of e.addresses) if (isIP(ip)) addrs.set(addrKey(ip, p), weightedAddr(e, ip, p, opaque, opts));
    }
  }
  return { exists: true, addrs, setLabels: { namespace, service: name } };
}

function requestMatch(m: RequestMatchSpec): RequestMatch {
  switch (m.kind) {
    case 'all': return { all: { matches: m.matches.map(requestMatch) } };
    case 'any': return { any: { matches: m.matches.map(requestMatch) } };
    case 'not': return { not: requestMatch(m.match) };
    case 'path': return { path: { regex: m.regex } };
    case 'method':
      return { method: REGISTERED_METHODS.has(m.method) ? { registered: m.method as 'GET' } : { unregistered: m.method } };
  }
}

function responseMatch(m: ResponseMatchSpec): ResponseMatch {
  switch (m.kind) {
    case 'all': return { all: { matches: m.matches.map(responseMatch) } };
    case 'any': return { any: { matches: m.matches.map(responseMatch) } };
    case 'not': return { not: responseMatch(m.match) };
    case 'status': return { status: { min: m.min, max: m.max } };
  }
}

function duration(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Linkerd's controller default, sent when a profile sets none. */
export const DEFAULT_RETRY_BUDGET = Object.freeze({ retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 });

function retryBudget(b: RetryBudgetSpec): RetryBudget {
  return { retryRatio: b.retryRatio, minRetriesPerSecond: b.minRetriesPerSecond, ttl: duration(b.ttlMs) };
}

/**
 * The profile for a service port; undefined when the service does not exist. A port the
 * service does not declare gets an empty profile, as from Linkerd's controller: no name (so
 * no logical service to resolve), no routes.
 */
export function serviceProfile(state: ClusterState, namespace: string, name: string, port: number, opts: TranslateOptions): DestinationProfile | undefined {
  const svc = state.services.get(svcKey(namespace, name));
  if (!svc) return undefined;
  if (!svc.spec.ports.some((p) => p.port === port)) return {};
  const fqdn = serviceFqdn({ name, namespace }, opts.clusterDomain);
  const sp = state.profiles.get(`${namespace}/${fqdn}`);
  const budget = sp?.spec.retryBudget ?? DEFAULT_RETRY_BUDGET;
  return {
    fullyQualifiedName: fqdn,
    opaqueProtocol: sp?.spec.opaquePorts.includes(port) ?? false,
    routes: (sp?.spec.routes ?? []).map((r) => ({
      condition: requestMatch(r.condition),
      responseClasses: r.responseClasses.map((rc) => ({ condition: responseMatch(rc.condition), isFailure: rc.isFailure })),
      metricsLabels: { route: r.name },
      isRetryable: r.isRetryable,
      ...(r.timeoutMs !== undefined ? { timeout: duration(r.timeoutMs) } : {}),
    })),
    retryBudget: retryBudget(budget),
    dstOverrides: (sp?.spec.dstOverrides ?? []).map((d) => ({ authority: d.authority, weight: d.weight })),
  };
}

/**
 * The profile for an IP:port, as Linkerd's controller answers it: a cluster IP answers as its
 * service; any other IP as one endpoint (Linkerd's proxy then connects to it directly) with the
 * default retry budget — a pod IP with its identity and hint, an unknown IP bare, never
 * NOT_FOUND (a Linkerd proxy would retry that lookup with backoff instead of going ahead).
 */
export function ipProfile(state: ClusterState, ip: string, port: number, opts: TranslateOptions): DestinationProfile | undefined {
  const svc = state.serviceByClusterIp(ip);
  if (svc) return serviceProfile(state, svc.metadata.namespace, svc.metadata.name, port, opts);
  const owners = state.endpointsAt(ip, port);
  const first = owners[0];
  const opaque = podPortOpaque(state, owners, port, opts);
  return {
    fullyQualifiedName: '',
    opaqueProtocol: opaque,
    routes: [],
    retryBudget: retryBudget(DEFAULT_RETRY_BUDGET),
    dstOverrides: [],
    endpoint: first ? weightedAddr(first.endpoint, ip, port, opaque, opts) : { addr: tcpAddress(ip, port), weight: DEFAULT_WEIGHT, metricLabels: {} },
  };
}
