// inbound.proto Server -> PortPolicy. Tolerant as the rest of discovery: what weft does not
// understand narrows what is allowed (an authorization without networks or authentication is
// dropped, as Linkerd's proxy does), never widens it, and never throws.
import type { Server__Output } from '../../api/gen/io/linkerd/proxy/inbound/Server.js';
import type { Authz__Output } from '../../api/gen/io/linkerd/proxy/inbound/Authz.js';
import type { HttpRoute__Output } from '../../api/gen/io/linkerd/proxy/inbound/HttpRoute.js';
import type { GrpcRoute__Output } from '../../api/gen/io/linkerd/proxy/inbound/GrpcRoute.js';
import type { HttpLocalRateLimit__Output } from '../../api/gen/io/linkerd/proxy/inbound/HttpLocalRateLimit.js';
import type { IPNetwork__Output } from '../../api/gen/io/linkerd/proxy/net/IPNetwork.js';
import type { Metadata__Output } from '../../api/gen/io/linkerd/proxy/meta/Metadata.js';
import type { WeftJwtAuthn__Output } from '../../api/gen/io/linkerd/proxy/inbound/WeftJwtAuthn.js';
import type { JwtRequirement } from './jwt.js';
import type { HttpRouteMatch__Output } from '../../api/gen/io/linkerd/proxy/http_route/HttpRouteMatch.js';
import type { HeaderMatch__Output } from '../../api/gen/io/linkerd/proxy/http_route/HeaderMatch.js';
import type { RequestHeaderModifier__Output } from '../../api/gen/io/linkerd/proxy/http_route/RequestHeaderModifier.js';
import type { Cidr } from '../../lib/cidr.js';
import { CidrSet } from '../../lib/cidr.js';
import { decodeTcpAddress } from '../discovery/decode.js';
import type {
  Authentication, Authorization, ClientNetwork, HeaderModifier, InboundRoute, PolicyLabels, PortPolicy, PortProtocol,
  RateLimitSpec, RequestMatch, RouteRule, ValueMatch,
} from './types.js';

function cidr(n: IPNetwork__Output | null | undefined): Cidr | undefined {
  const a = decodeTcpAddress({ ip: n?.ip ?? null, port: 0 });
  if (!a) return undefined;
  const family = a.host.includes(':') ? 'ipv6' : 'ipv4';
  const prefix = n?.prefixLen ?? 0;
  return prefix <= (family === 'ipv4' ? 32 : 128) ? { ip: a.host, prefix, family } : undefined;
}

function labelsOf(meta: Metadata__Output | null | undefined, fallback: Readonly<Record<string, string>>, dfltKind = 'default'): PolicyLabels {
  if (meta?.resource) return { group: meta.resource.group, kind: meta.resource.kind.toLowerCase(), name: meta.resource.name };
  if (meta?.default !== undefined && meta.default !== null && meta.kind !== 'resource') return { group: '', kind: dfltKind, name: meta.default };
  return { group: fallback['group'] ?? '', kind: fallback['kind'] ?? dfltKind, name: fallback['name'] ?? '' };
}

function authn(a: Authz__Output['authentication']): Authentication | undefined {
  if (!a) return undefined;
  if (a.permit === 'unauthenticated' || (a.unauthenticated && a.permit !== 'meshTLS')) return { kind: 'unauthenticated' };
  const m = a.meshTLS;
  if (!m) return undefined;
  if (m.clients === 'unauthenticated' || (m.unauthenticated && m.clients !== 'identities')) return { kind: 'mtls', any: true, identities: new Set(), suffixes: [] };
  const ids = m.identities;
  if (!ids) return undefined;
  const suffixes = ids.suffixes.map((s) => s.parts);
  return { kind: 'mtls', any: suffixes.some((p) => p.length === 0), identities: new Set(ids.identities.map((i) => i.name)), suffixes: suffixes.filter((p) => p.length > 0) };
}

export function decodeAuthz(a: Authz__Output): Authorization | undefined {
  const auth = authn(a.authentication);
  const networks: ClientNetwork[] = a.networks.flatMap((n) => {
    const net = cidr(n.net);
    return net ? [{ net: new CidrSet([net]), except: new CidrSet(n.except.flatMap((e) => cidr(e) ?? [])) }] : [];
  });
  if (!auth || networks.length === 0) return undefined;
  const jwt = a.weftJwt ? jwtRequirement(a.weftJwt) : undefined;
  // A JWT requirement the proxy cannot use keeps the authorization from admitting anyone.
  if (a.weftJwt && !jwt) return undefined;
  return { networks, authn: auth, labels: labelsOf(a.metadata, a.labels), ...(jwt ? { jwt } : {}) };
}

function jwtRequirement(w: WeftJwtAuthn__Output): JwtRequirement | undefined {
  const jwks = w.jwksUrl ? { url: w.jwksUrl } : w.jwksJson ? { json: w.jwksJson } : undefined;
  if (!jwks || !w.issuer || w.audiences.length === 0) return undefined;
  return { name: w.name, issuer: w.issuer, audiences: w.audiences, jwks, claims: w.claims.map((c) => ({ name: c.name, values: c.values })) };
}

function valueMatch(name: string, exact: string | undefined, regex: string | undefined): ValueMatch | undefined {
  if (exact !== undefined) return { name: name.toLowerCase(), exact };
  try {
    return regex !== undefined ? { name: name.toLowerCase(), re: new RegExp(`^(?:${regex})$`) } : undefined;
  } catch {
    return undefined;
  }
}

export function header(h: HeaderMatch__Output): ValueMatch | undefined {
  return valueMatch(h.name, h.exact !== undefined && h.value !== 'regex' ? Buffer.from(h.exact).toString('latin1') : undefined, h.value === 'regex' ? h.regex : undefined);
}

export function httpMatch(m: HttpRouteMatch__Output): RequestMatch | undefined {
  let path: RequestMatch['path'];
  const p = m.path;
  if (p?.kind === 'exact') path = { kind: 'exact', value: p.exact ?? '' };
  else if (p?.kind === 'prefix') path = { kind: 'prefix', value: p.prefix ?? '/' };
  else if (p?.kind === 'regex') {
    try {
      path = { kind: 'regex', re: new RegExp(`^(?:${p.regex ?? ''})$`) };
    } catch {
      return undefined; // an unreadable match matches nothing
    }
  }
  const headers = m.headers.map(header);
  const query = m.queryParams.map((q) => valueMatch(q.name, q.value === 'exact' ? q.exact : undefined, q.value === 'regex' ? q.regex : undefined));
  if (headers.includes(undefined) || query.includes(undefined)) return undefined;
  const method = m.method ? (m.method.type === 'registered' || m.method.registered !== undefined && m.method.type !== 'unregistered' ? String(m.method.registered) : m.method.unregistered) : undefined;
  return { path, headers: headers as ValueMatch[], query: query as ValueMatch[], method, rpc: undefined };
}

export function headerModifier(m: RequestHeaderModifier__Output | null | undefined): HeaderModifier | undefined {
  if (!m) return undefined;
  const pairs = (h: RequestHeaderModifier__Output['add']): [string, string][] => (h?.headers ?? []).map((x) => [x.name.toLowerCase(), Buffer.from(x.value).toString('latin1')]);
  return { add: pairs(m.add), set: pairs(m.set), remove: m.remove.map((r) => r.toLowerCase()) };
}

export function hosts(h: HttpRoute__Output['hosts']): string[] {
  return h.map((x) => (x.match === 'suffix' || x.suffix ? `.${[...(x.suffix?.reverseLabels ?? [])].reverse().join('.')}` : (x.exact ?? '').toLowerCase()));
}

function httpRoute(r: HttpRoute__Output, server: readonly Authorization[]): InboundRoute {
  const rules: RouteRule[] = r.rules.map((rule) => {
    let requestHeaders: HeaderModifier | undefined;
    let redirect: RouteRule['redirect'];
    for (const f of rule.filters) {
      if (f.requestHeaderModifier) requestHeaders = headerModifier(f.requestHeaderModifier);
      if (f.redirect) {
        const rd = f.redirect;
        redirect = {
          scheme: rd.scheme ? (rd.scheme.type === 'unregistered' ? rd.scheme.unregistered : String(rd.scheme.registered ?? 'HTTP').toLowerCase()) : undefined,
          host: rd.host, port: rd.port, status: rd.status || 302,
          path: rd.path?.full !== undefined && rd.path.replace !== 'prefix' ? { full: rd.path.full } : rd.path?.prefix !== undefined ? { prefix: rd.path.prefix } : undefined,
        };
      }
    }
    return { matches: rule.matches.flatMap((m) => httpMatch(m) ?? []), requestHeaders, redirect };
  });
  return { labels: labelsOf(r.metadata, {}), hosts: hosts(r.hosts), rules, authorizations: [...server, ...r.authorizations.flatMap((a) => decodeAuthz(a) ?? [])] };
}

function grpcRoute(r: GrpcRoute__Output, server: readonly Authorization[]): InboundRoute {
  const rules: RouteRule[] = r.rules.map((rule) => ({
    matches: rule.matches.flatMap((m): RequestMatch[] => {
      const headers = m.headers.map(header);
      if (headers.includes(undefined)) return [];
      return [{ path: undefined, headers: headers as ValueMatch[], query: [], method: undefined, rpc: { service: m.rpc?.service ?? '', method: m.rpc?.method ?? '' } }];
    }),
    requestHeaders: headerModifier(rule.filters.find((f) => f.requestHeaderModifier)?.requestHeaderModifier),
    redirect: undefined,
  }));
  return { labels: labelsOf(r.metadata, {}), hosts: hosts(r.hosts), rules, authorizations: [...server, ...r.authorizations.flatMap((a) => decodeAuthz(a) ?? [])] };
}

function rateLimit(rl: HttpLocalRateLimit__Output | null | undefined): RateLimitSpec | undefined {
  if (!rl) return undefined;
  return {
    labels: labelsOf(rl.metadata, {}, 'default'),
    total: rl.total?.requestsPerSecond || undefined,
    identity: rl.identity?.requestsPerSecond || undefined,
    overrides: rl.overrides.flatMap((o) => (o.limit?.requestsPerSecond ? [{ rps: o.limit.requestsPerSecond, identities: new Set((o.clients?.identities ?? []).map((i) => i.name)) }] : [])),
  };
}

export function decodeServer(s: Server__Output): PortPolicy {
  const authorizations = s.authorizations.flatMap((a) => decodeAuthz(a) ?? []);
  const p = s.protocol;
  const kind: PortProtocol = p?.kind ?? 'detect';
  let routes: InboundRoute[] = [];
  let rl: RateLimitSpec | undefined;
  if (kind === 'detect') {
    routes = (p?.detect?.httpRoutes ?? []).map((r) => httpRoute(r, authorizations));
    rl = rateLimit(p?.detect?.httpLocalRateLimit);
  } else if (kind === 'http1' || kind === 'http2') {
    const h = p?.[kind];
    routes = (h?.routes ?? []).map((r) => httpRoute(r, authorizations));
    rl = rateLimit(h?.localRateLimit);
  } else if (kind === 'grpc') routes = (p?.grpc?.routes ?? []).map((r) => grpcRoute(r, authorizations));
  const server = { group: s.labels['group'] ?? '', kind: s.labels['kind'] ?? 'default', name: s.labels['name'] ?? '' };
  return { server, protocol: kind, authorizations, routes, rateLimit: rl };
}
