// Store resources -> Linkerd-compatible destination messages. Pure functions over ClusterState,
// so the server's fan-out computes each answer once per change, not once per subscriber.
import { isIP, isIPv4 } from 'node:net';
import type { WeightedAddr } from '../../api/gen/io/linkerd/proxy/destination/WeightedAddr.js';
import type { TcpAddress } from '../../api/gen/io/linkerd/proxy/net/TcpAddress.js';
import type { DestinationProfile } from '../../api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import type { RequestMatch } from '../../api/gen/io/linkerd/proxy/destination/RequestMatch.js';
import type { ResponseMatch } from '../../api/gen/io/linkerd/proxy/destination/ResponseMatch.js';
import type { Endpoint, EndpointSlice, RequestMatchSpec, ResponseMatchSpec, Service, ServicePort } from '../store/types.js';
import type { ClusterState } from './cluster-state.js';
import { svcKey } from './cluster-state.js';
import { serviceFqdn } from './authority.js';

export interface TranslateOptions {
  readonly trustDomain: string;
  readonly clusterDomain: string;
}

/** Linkerd's weight for an endpoint of equal standing. */
export const DEFAULT_WEIGHT = 10_000;
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
    w.protocolHint = opaque ? { opaque: {} } : { h2: {} };
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

/** The profile for a service port; undefined when the service does not exist. */
export function serviceProfile(state: ClusterState, namespace: string, name: string, port: number, opts: TranslateOptions): DestinationProfile | undefined {
  const svc = state.services.get(svcKey(namespace, name));
  if (!svc) return undefined;
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
    retryBudget: { retryRatio: budget.retryRatio, minRetriesPerSecond: budget.minRetriesPerSecond, ttl: duration(budget.ttlMs) },
    dstOverrides: (sp?.spec.dstOverrides ?? []).map((d) => ({ authority: d.authority, weight: d.weight })),
  };
}

/** The profile for an IP:port: a cluster IP answers as its service, a pod IP as one endpoint. */
export function ipProfile(state: ClusterState, ip: string, port: number, opts: TranslateOptions): DestinationProfile | undefined {
  const svc = state.serviceByClusterIp(ip);
  if (svc) return serviceProfile(state, svc.metadata.namespace, svc.metadata.name, port, opts);
  const found = state.endpointByAddress(ip, port);
  if (!found) return undefined;
  const [ns = '', name = ''] = found.serviceKey.split('/');
  const owner = state.services.get(found.serviceKey);
  const opaque = owner ? opaquePorts(state, owner, opts).has(port) : false;
  return {
    fullyQualifiedName: '',
    opaqueProtocol: opaque,
    routes: [],
    retryBudget: serviceProfile(state, ns, name, port, opts)?.retryBudget ?? null,
    dstOverrides: [],
    endpoint: weightedAddr(found.endpoint, ip, port, opaque, opts),
  };
}
