// Gateway API route pieces (store shapes) -> http_route.proto / grpc_route.proto messages,
// shared by the inbound and outbound policy answers.
import type { HttpRouteMatch } from '../../api/gen/io/linkerd/proxy/http_route/HttpRouteMatch.js';
import type { HeaderMatch } from '../../api/gen/io/linkerd/proxy/http_route/HeaderMatch.js';
import type { RequestHeaderModifier } from '../../api/gen/io/linkerd/proxy/http_route/RequestHeaderModifier.js';
import type { RequestRedirect } from '../../api/gen/io/linkerd/proxy/http_route/RequestRedirect.js';
import type { UrlRewrite } from '../../api/gen/io/linkerd/proxy/http_route/UrlRewrite.js';
import type { GrpcRouteMatch } from '../../api/gen/io/linkerd/proxy/grpc_route/GrpcRouteMatch.js';
import type { HostMatch } from '../../api/gen/io/linkerd/proxy/http_route/HostMatch.js';
import type { Metadata } from '../../api/gen/io/linkerd/proxy/meta/Metadata.js';
import type { Duration } from '../../api/gen/google/protobuf/Duration.js';
import type {
  GrpcRouteMatchSpec, HeaderModifierSpec, HttpFilterSpec, HttpRouteMatchSpec, StringMatch,
} from '../store/policy-types.js';
import type { ObjectMeta } from '../store/types.js';
import { group } from './authz.js';

const REGISTERED = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'HEAD', 'TRACE']);

export function duration(ms: number): Duration {
  return { seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) };
}

function headerMatch(h: StringMatch): HeaderMatch {
  return h.type === 'Exact' ? { name: h.name, exact: Buffer.from(h.value) } : { name: h.name, regex: h.value };
}

export function httpMatch(m: HttpRouteMatchSpec): HttpRouteMatch {
  const out: HttpRouteMatch = {
    headers: m.headers.map(headerMatch),
    queryParams: m.queryParams.map((q) => (q.type === 'Exact' ? { name: q.name, exact: q.value } : { name: q.name, regex: q.value })),
  };
  if (m.path) {
    out.path = m.path.type === 'Exact' ? { exact: m.path.value } : m.path.type === 'PathPrefix' ? { prefix: m.path.value } : { regex: m.path.value };
  }
  if (m.method) out.method = REGISTERED.has(m.method) ? { registered: m.method as 'GET' } : { unregistered: m.method };
  return out;
}

export function grpcMatch(m: GrpcRouteMatchSpec): GrpcRouteMatch {
  return { rpc: { service: m.service ?? '', method: m.method ?? '' }, headers: m.headers.map(headerMatch) };
}

export function hostMatches(hostnames: readonly string[]): HostMatch[] {
  return hostnames.map((h) => (h.startsWith('*.') ? { suffix: { reverseLabels: h.slice(2).split('.').reverse() } } : { exact: h }));
}

export function headerModifier(m: HeaderModifierSpec): RequestHeaderModifier {
  const headers = (l: HeaderModifierSpec['set']) => ({ headers: l.map((h) => ({ name: h.name, value: Buffer.from(h.value) })) });
  return { add: headers(m.add), set: headers(m.set), remove: [...m.remove] };
}

export function redirect(f: Extract<HttpFilterSpec, { type: 'RequestRedirect' }>): RequestRedirect {
  const out: RequestRedirect = { host: f.hostname ?? '', port: f.port ?? 0, status: f.statusCode };
  if (f.scheme) out.scheme = { registered: f.scheme === 'https' ? 'HTTPS' : 'HTTP' };
  if (f.path) out.path = f.path.type === 'ReplaceFullPath' ? { full: f.path.value } : { prefix: f.path.value };
  return out;
}

/** Gateway API URLRewrite as weft's UrlRewrite extension (http_route.proto). */
export function urlRewrite(f: Extract<HttpFilterSpec, { type: 'URLRewrite' }>): UrlRewrite {
  const out: UrlRewrite = { host: f.hostname ?? '' };
  if (f.path) out.path = f.path.type === 'ReplaceFullPath' ? { full: f.path.value } : { prefix: f.path.value };
  return out;
}

export function routeMetadata(apiVersion: string, kind: string, meta: ObjectMeta): Metadata {
  return { resource: { group: group(apiVersion), kind, name: meta.name, namespace: meta.namespace } };
}
