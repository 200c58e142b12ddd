// Compiles an ObserveRequest.Match (tap.proto) once, when the tap starts, into a predicate over
// what the tap layer knows of a request. Bad matches (an empty oneof, an IPv6 netmask, a mask
// out of range) are refused here with TapMatchError, so the Observe call fails with
// INVALID_ARGUMENT before any traffic is looked at.
import { isIPv4 } from 'node:net';
import type { ObserveRequest__Output } from '../../api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import type { Address } from '../../lib/address.js';
import { WeftError } from '../../lib/errors.js';

export class TapMatchError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_TAP_MATCH', `invalid tap match: ${message}`);
  }
}

/** What a tap can match on: one request as the tap layer sees it when it starts. */
export interface TapRequestInfo {
  readonly direction: 'inbound' | 'outbound';
  readonly source: Address | undefined;
  readonly destination: Address | undefined;
  readonly sourceLabels: Readonly<Record<string, string>>;
  readonly destinationLabels: Readonly<Record<string, string>>;
  readonly routeLabels: Readonly<Record<string, string>>;
  readonly method: string;
  readonly scheme: 'http' | 'https';
  readonly authority: string;
  readonly path: string;
}

export type TapMatcher = (r: TapRequestInfo) => boolean;

type Match = NonNullable<ObserveRequest__Output['match']>;
type Tcp = NonNullable<Match['source']>;
type StringMatch = NonNullable<NonNullable<Match['http']>['path']>;

const MAX_DEPTH = 32;

function ipv4Number(host: string): number | undefined {
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  if (!isIPv4(h)) return undefined;
  return h.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

function compileTcp(m: Tcp, side: 'source' | 'destination'): TapMatcher {
  if (m.match === 'ports' || m.ports) {
    const min = m.ports?.min ?? 0;
    const max = m.ports?.max || min;
    if (min > 65535 || max > 65535 || max < min) throw new TapMatchError(`${side} port range ${min}-${max}`);
    return (r) => {
      const a = r[side];
      return !!a && a.port >= min && a.port <= max;
    };
  }
  if (m.match === 'netmask' || m.netmask) {
    const ip = m.netmask?.ip;
    const mask = m.netmask?.mask ?? 0;
    if (!ip || ip.ip !== 'ipv4') throw new TapMatchError(`${side} netmask: only IPv4 networks are supported`);
    if (mask > 32) throw new TapMatchError(`${side} netmask /${mask}: at most /32 for IPv4`);
    const bits = mask === 0 ? 0 : (0xffffffff << (32 - mask)) >>> 0;
    const net = (Number(ip.ipv4) >>> 0) & bits;
    return (r) => {
      const a = r[side];
      const v = a ? ipv4Number(a.host) : undefined;
      return v !== undefined && ((v & bits) >>> 0) === net >>> 0;
    };
  }
  throw new TapMatchError(`${side}: neither netmask nor ports`);
}

function compileString(m: StringMatch, what: string, field: 'authority' | 'path'): TapMatcher {
  if (m.match === 'exact' || (m.exact !== undefined && m.match === undefined)) {
    const v = m.exact ?? '';
    return field === 'authority' ? (r) => r.authority.toLowerCase() === v.toLowerCase() : (r) => r[field] === v;
  }
  if (m.match === 'prefix' || m.prefix !== undefined) {
    const v = m.prefix ?? '';
    return field === 'authority' ? (r) => r.authority.toLowerCase().startsWith(v.toLowerCase()) : (r) => r[field].startsWith(v);
  }
  throw new TapMatchError(`${what}: neither exact nor prefix`);
}

function compileHttp(m: NonNullable<Match['http']>): TapMatcher {
  switch (m.match) {
    case 'method': {
      const meth = m.method;
      const want = meth?.type === 'unregistered' ? (meth.unregistered ?? '') : (meth?.registered ?? 'GET');
      return (r) => r.method === String(want).toUpperCase();
    }
    case 'scheme': {
      const s = m.scheme;
      const want = s?.type === 'unregistered' ? (s.unregistered ?? '').toLowerCase() : String(s?.registered ?? 'HTTP').toLowerCase();
      return (r) => r.scheme === want;
    }
    case 'authority':
      return compileString(m.authority ?? {}, 'http authority', 'authority');
    case 'path':
      return compileString(m.path ?? {}, 'http path', 'path');
    default:
      throw new TapMatchError('http: no field set');
  }
}

function compileLabel(l: Match['destinationLabel'], which: 'destinationLabels' | 'routeLabels'): TapMatcher {
  const key = l?.key ?? '';
  const value = l?.value ?? '';
  if (!key) throw new TapMatchError(`${which === 'routeLabels' ? 'route' : 'destination'} label without a key`);
  return (r) => r[which][key] === value;
}

function compile(m: Match, depth: number): TapMatcher {
  if (depth > MAX_DEPTH) throw new TapMatchError(`nested deeper than ${MAX_DEPTH}`);
  switch (m.match) {
    case 'all': {
      const parts = (m.all?.matches ?? []).map((x) => compile(x, depth + 1));
      return (r) => parts.every((p) => p(r));
    }
    case 'any': {
      const parts = (m.any?.matches ?? []).map((x) => compile(x, depth + 1));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      if (!m.not) throw new TapMatchError('not: no inner match');
      const inner = compile(m.not, depth + 1);
      return (r) => !inner(r);
    }
    case 'source':
      return compileTcp(m.source ?? {}, 'source');
    case 'destination':
      return compileTcp(m.destination ?? {}, 'destination');
    case 'http':
      return compileHttp(m.http ?? {});
    case 'destinationLabel':
      return compileLabel(m.destinationLabel, 'destinationLabels');
    case 'routeLabel':
      return compileLabel(m.routeLabel, 'routeLabels');
    default:
      throw new TapMatchError('a match with no condition set');
  }
}

/** The predicate for `m`; no match at all observes every request. Throws TapMatchError. */
export function compileMatch(m: Match | null | undefined): TapMatcher {
  if (!m) return () => true;
  return compile(m, 0);
}
