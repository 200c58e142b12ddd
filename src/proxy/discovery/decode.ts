// Destination API messages -> the discovery types in types.ts. Tolerant: unknown or missing
// fields decode to "no information", never to an exception, because a Linkerd-compatible
// controller may send fields weft does not know.
import type { WeightedAddr__Output } from '../../api/gen/io/linkerd/proxy/destination/WeightedAddr.js';
import type { TcpAddress__Output } from '../../api/gen/io/linkerd/proxy/net/TcpAddress.js';
import type { DestinationProfile__Output } from '../../api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import type { RequestMatch__Output } from '../../api/gen/io/linkerd/proxy/destination/RequestMatch.js';
import type { ResponseMatch__Output } from '../../api/gen/io/linkerd/proxy/destination/ResponseMatch.js';
import type { Duration__Output } from '../../api/gen/google/protobuf/Duration.js';
import type { DiscoveredEndpoint, Profile, RequestMatch, ResponseMatch } from './types.js';

/** "ip:port" for a TcpAddress. The client loads 64-bit fields as decimal strings (exact). */
export function decodeTcpAddress(a: TcpAddress__Output | null | undefined): { host: string; port: number } | undefined {
  if (!a?.ip) return undefined;
  if (a.ip.ip === 'ipv4' || a.ip.ipv4 !== undefined) {
    const v = Number(a.ip.ipv4 ?? 0) >>> 0;
    return { host: [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'), port: a.port };
  }
  if (a.ip.ipv6) {
    const v = (BigInt(String(a.ip.ipv6.first)) << 64n) | BigInt(String(a.ip.ipv6.last));
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
    // Shortest form: collapse the longest run of zero groups.
    let best = [-1, 0];
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > (best[1] as number) && j - i > 1) best = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const [at, len] = best as [number, number];
    const host = at < 0 ? groups.join(':') : `${groups.slice(0, at).join(':')}::${groups.slice(at + len).join(':')}`;
    return { host, port: a.port };
  }
  return undefined;
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function decodeEndpoint(w: WeightedAddr__Output, setLabels: Readonly<Record<string, string>> = {}): DiscoveredEndpoint | undefined {
  const a = decodeTcpAddress(w.addr);
  if (!a) return undefined;
  const id = w.tlsIdentity;
  const hint = w.protocolHint?.h2 ? 'h2' : w.protocolHint?.opaque ? 'opaque' : undefined;
  const inboundPort = w.protocolHint?.opaqueTransport?.inboundPort ?? 0;
  return Object.freeze({
    address: formatHostPort(a.host, a.port),
    host: a.host,
    port: a.port,
    weight: w.weight || 1,
    identity: id?.uriLikeIdentity?.uri || undefined,
    serverName: id?.serverName?.name || id?.dnsLikeIdentity?.name || undefined,
    protocolHint: hint,
    opaqueTransportPort: inboundPort > 0 && inboundPort <= 65535 ? inboundPort : undefined,
    labels: Object.freeze({ ...setLabels, ...(w.metricLabels ?? {}) }),
  });
}

function ms(d: Duration__Output | null | undefined): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds) * 1000 + d.nanos / 1e6;
}

function requestMatch(m: RequestMatch__Output | null | undefined): RequestMatch | undefined {
  if (!m) return undefined;
  if (m.all) return { kind: 'all', matches: m.all.matches.flatMap((x) => requestMatch(x) ?? []) };
  if (m.any) return { kind: 'any', matches: m.any.matches.flatMap((x) => requestMatch(x) ?? []) };
  if (m.not) {
    const inner = requestMatch(m.not);
    return inner && { kind: 'not', match: inner };
  }
  if (m.path) {
    // Linkerd anchors path regexes: the whole path has to match.
    try {
      return { kind: 'path', regex: new RegExp(`^(?:${m.path.regex})$`) };
    } catch {
      return { kind: 'not', match: { kind: 'all', matches: [] } }; // an invalid regex matches nothing
    }
  }
  if (m.method) return { kind: 'method', method: m.method.registered ?? m.method.unregistered ?? '' };
  return undefined;
}

function responseMatch(m: ResponseMatch__Output | null | undefined): ResponseMatch | undefined {
  if (!m) return undefined;
  if (m.all) return { kind: 'all', matches: m.all.matches.flatMap((x) => responseMatch(x) ?? []) };
  if (m.any) return { kind: 'any', matches: m.any.matches.flatMap((x) => responseMatch(x) ?? []) };
  if (m.not) {
    const inner = responseMatch(m.not);
    return inner && { kind: 'not', match: inner };
  }
  if (m.status) {
    // Without min or max, the range is the one value given.
    const min = m.status.min || m.status.max;
    const max = m.status.max || m.status.min;
    return { kind: 'status', min, max };
  }
  return undefined;
}

export function decodeProfile(p: DestinationProfile__Output): Profile {
  const rb = p.retryBudget;
  return Object.freeze({
    fullyQualifiedName: p.fullyQualifiedName,
    opaqueProtocol: p.opaqueProtocol,
    routes: Object.freeze(p.routes.map((r, i) => Object.freeze({
      name: r.metricsLabels?.['route'] ?? `route-${i}`,
      condition: requestMatch(r.condition),
      responseClasses: r.responseClasses.map((rc) => ({ condition: responseMatch(rc.condition), isFailure: rc.isFailure })),
      labels: Object.freeze({ ...(r.metricsLabels ?? {}) }),
      isRetryable: r.isRetryable,
      timeoutMs: ms(r.timeout),
    }))),
    retryBudget: rb ? Object.freeze({ retryRatio: Math.round(rb.retryRatio * 1e6) / 1e6, // a float32 on the wire
       minRetriesPerSecond: rb.minRetriesPerSecond, ttlMs: ms(rb.ttl) ?? 10_000 }) : undefined,
    dstOverrides: Object.freeze(p.dstOverrides.map((d) => Object.freeze({ authority: d.authority, weight: d.weight }))),
    endpoint: p.endpoint ? decodeEndpoint(p.endpoint) : undefined,
  });
}
