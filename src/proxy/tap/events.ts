// TapEvent messages (tap.proto) built from what the tap layer saw, as plain objects in
// proto-loader's shape (camelCase fields, oneofs by member, enums by name, 64-bit as strings).
import { isIPv4, isIPv6 } from 'node:net';
import type { TapEvent } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import type { TcpAddress } from '../../api/gen/io/linkerd/proxy/net/TcpAddress.js';
import type { HttpMethod } from '../../api/gen/io/linkerd/proxy/http_types/HttpMethod.js';
import type { Address } from '../../lib/address.js';
import type { TapRequestInfo } from './match.js';

const REGISTERED_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'HEAD', 'TRACE']);

export interface StreamId {
  readonly base: number;
  readonly stream: number;
}

/** net.TcpAddress for an address (IPv4, IPv6 or v4-mapped v6); undefined for names. */
export function tcpAddress(a: Address | undefined): TcpAddress | undefined {
  if (!a) return undefined;
  const host = a.host.startsWith('::ffff:') && isIPv4(a.host.slice(7)) ? a.host.slice(7) : a.host;
  if (isIPv4(host)) return { ip: { ipv4: host.split('.').reduce((n, o) => n * 256 + Number(o), 0) }, port: a.port };
  if (isIPv6(host)) {
    const v = ipv6BigInt(host);
    return { ip: { ipv6: { first: String(v >> 64n), last: String(v & 0xffffffffffffffffn) } }, port: a.port };
  }
  return undefined;
}

function ipv6BigInt(host: string): bigint {
  const [head = '', tail = ''] = host.split('::');
  const h = head ? head.split(':') : [];
  const t = host.includes('::') && tail ? tail.split(':') : [];
  const groups = host.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function httpMethod(m: string): HttpMethod {
  return REGISTERED_METHODS.has(m) ? { registered: m as 'GET' } : { unregistered: m };
}

/** The fields every event of one request shares (addresses, labels, direction). */
export function eventBase(r: TapRequestInfo): Omit<TapEvent, 'http'> {
  return {
    source: tcpAddress(r.source) ?? null,
    sourceMeta: { labels: { ...r.sourceLabels } },
    destination: tcpAddress(r.destination) ?? null,
    destinationMeta: { labels: { ...r.destinationLabels } },
    routeMeta: { labels: { ...r.routeLabels } },
    proxyDirection: r.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
  };
}

/** google.protobuf.Duration from milliseconds. */
export function duration(ms: number): { seconds: number; nanos: number } {
  const clamped = Math.max(0, ms);
  const seconds = Math.floor(clamped / 1000);
  return { seconds, nanos: Math.round((clamped - seconds * 1000) * 1e6) };
}

export type Headers = readonly (readonly [string, string])[];

function headersMsg(h: Headers | undefined): { headers: { name: string; value: Buffer }[] } | null {
  return h ? { headers: h.map(([name, value]) => ({ name, value: Buffer.from(value, 'latin1') })) } : null;
}

export function requestInit(base: Omit<TapEvent, 'http'>, id: StreamId, r: TapRequestInfo, headers?: Headers): TapEvent {
  return {
    ...base,
    http: {
      requestInit: {
        id,
        method: httpMethod(r.method),
        scheme: { registered: r.scheme === 'https' ? 'HTTPS' : 'HTTP' },
        authority: r.authority,
        path: r.path,
        headers: headersMsg(headers),
      },
    },
  };
}

export function responseInit(base: Omit<TapEvent, 'http'>, id: StreamId, sinceRequestMs: number, status: number, headers?: Headers): TapEvent {
  return { ...base, http: { responseInit: { id, sinceRequestInit: duration(sinceRequestMs), httpStatus: status, headers: headersMsg(headers) } } };
}

/** How a response ended: a gRPC status, an HTTP/2 reset code, or (neither) a clean end. */
export type Eos = { readonly grpcStatus: number } | { readonly resetCode: number } | undefined;

export function responseEnd(
  base: Omit<TapEvent, 'http'>,
  id: StreamId,
  o: { sinceRequestMs: number; sinceResponseMs: number; bytes: number; eos: Eos; trailers?: Headers },
): TapEvent {
  const eos = !o.eos ? null : 'grpcStatus' in o.eos ? { grpcStatusCode: o.eos.grpcStatus } : { resetErrorCode: o.eos.resetCode };
  return {
    ...base,
    http: {
      responseEnd: {
        id,
        sinceRequestInit: duration(o.sinceRequestMs),
        sinceResponseInit: duration(o.sinceResponseMs),
        responseBytes: o.bytes,
        eos,
        trailers: headersMsg(o.trailers),
      },
    },
  };
}
