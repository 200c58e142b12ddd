// outbound.proto OutboundPolicy -> OutboundPolicyView. Tolerant like the rest of discovery:
// a match weft cannot read matches nothing, a backend without a discovery path is dropped, and
// nothing here throws. Only the control plane's default route ("no routes") decodes to an empty
// route list, so the ServiceProfile path stays in force for Services without HTTPRoutes.
import type { OutboundPolicy__Output } from '../../api/gen/io/linkerd/proxy/outbound/OutboundPolicy.js';
import type { HttpRoute__Output, _io_linkerd_proxy_outbound_HttpRoute_Distribution__Output as HttpDistribution } from '../../api/gen/io/linkerd/proxy/outbound/HttpRoute.js';
import type { GrpcRoute__Output } from '../../api/gen/io/linkerd/proxy/outbound/GrpcRoute.js';
import type { Metadata__Output } from '../../api/gen/io/linkerd/proxy/meta/Metadata.js';
import type { Duration__Output } from '../../api/gen/google/protobuf/Duration.js';
import type { Ratio__Output } from '../../api/gen/io/linkerd/proxy/http_route/Ratio.js';
import type { RequestRedirect__Output } from '../../api/gen/io/linkerd/proxy/http_route/RequestRedirect.js';
import type { UrlRewrite__Output } from '../../api/gen/io/linkerd/proxy/http_route/UrlRewrite.js';
import type { HttpFailureDelay__Output } from '../../api/gen/io/linkerd/proxy/http_route/HttpFailureDelay.js';
import { header, headerModifier, hosts, httpMatch } from '../policy/decode.js';
import type { Redirect, RequestMatch, ValueMatch } from '../policy/types.js';
import type { RouteRateLimit__Output } from '../../api/gen/io/linkerd/proxy/outbound/RouteRateLimit.js';
import type {
  EgressView, OutboundPolicyView, OutboundRoute, OutboundRule, ParentLabels, Ratio, ResourceLabels, RouteRetry, UrlRewrite, WeightedBackend,
} from './policy-types.js';

type GrpcDistribution = GrpcRoute__Output['rules'][number]['backends'];

export function durationMs(d: Duration__Output | null | undefined): number | undefined {
  if (!d) return undefined;
  const ms = Number(d.seconds) * 1000 + d.nanos / 1e6;
  return ms > 0 ? ms : undefined;
}

function ratio(r: Ratio__Output | null | undefined): Ratio {
  if (!r || r.denominator === 0) return 1; // Linkerd: an absent ratio is "always"
  return Math.min(1, r.numerator / r.denominator);
}

function resourceLabels(m: Metadata__Output | null | undefined): ParentLabels {
  const r = m?.resource;
  if (r) return { group: r.group, kind: r.kind, name: r.name, namespace: r.namespace, port: r.port ? String(r.port) : '' };
  return { group: '', kind: 'default', name: m?.default ?? '', namespace: '', port: '' };
}

function backends(d: HttpDistribution | GrpcDistribution | null | undefined): WeightedBackend[] {
  const list = d?.randomAvailable?.backends.map((b) => ({ rb: b.backend, weight: b.weight }))
    ?? d?.firstAvailable?.backends.map((rb) => ({ rb, weight: 1 })) ?? [];
  return list.flatMap(({ rb, weight }): WeightedBackend[] => {
    if (weight <= 0) return [];
    if (rb?.backend?.forward) return [{ authority: '', forward: true, weight, labels: resourceLabels(rb.backend.metadata) }];
    const authority = rb?.backend?.balancer?.discovery?.dst?.path;
    return authority ? [{ authority, weight, labels: resourceLabels(rb?.backend?.metadata) }] : [];
  });
}

function redirect(rd: RequestRedirect__Output): Redirect {
  return {
    scheme: rd.scheme ? (rd.scheme.type === 'unregistered' ? rd.scheme.unregistered : String(rd.scheme.registered ?? 'HTTP').toLowerCase()) : undefined,
    host: rd.host, port: rd.port, status: rd.status || 302,
    path: rd.path?.full !== undefined && rd.path.replace !== 'prefix' ? { full: rd.path.full } : rd.path?.prefix !== undefined ? { prefix: rd.path.prefix } : undefined,
  };
}

function rewrite(u: UrlRewrite__Output): UrlRewrite {
  const p = u.path;
  return { host: u.host, path: p?.full !== undefined && p.replace !== 'prefix' ? { full: p.full } : p?.prefix !== undefined ? { prefix: p.prefix } : undefined };
}

function delay(d: HttpFailureDelay__Output | null | undefined): OutboundRule['delay'] {
  const ms = durationMs(d?.delay);
  return d && ms ? { ms, ratio: ratio(d.ratio) } : undefined;
}

const GRPC_CONDITIONS = { cancelled: 1, deadineExceeded: 4, resourceExhausted: 8, internal: 13, unavailable: 14 } as const;

function httpRule(rule: HttpRoute__Output['rules'][number]): OutboundRule {
  let out: Omit<OutboundRule, 'matches' | 'backends' | 'requestTimeoutMs' | 'retry'> = {
    requestHeaders: undefined, responseHeaders: undefined, redirect: undefined, rewrite: undefined, abort: undefined, delay: undefined, mirror: undefined,
  };
  for (const f of rule.filters) {
    if (f.requestHeaderModifier) out = { ...out, requestHeaders: headerModifier(f.requestHeaderModifier) };
    if (f.responseHeaderModifier) out = { ...out, responseHeaders: headerModifier(f.responseHeaderModifier) };
    if (f.redirect) out = { ...out, redirect: redirect(f.redirect) };
    if (f.urlRewrite) out = { ...out, rewrite: rewrite(f.urlRewrite) };
    if (f.failureInjector) {
      const fi = f.failureInjector;
      out = { ...out, abort: { status: fi.status || 500, message: fi.message, ratio: ratio(fi.ratio) } };
    }
    if (f.failureDelay) out = { ...out, delay: delay(f.failureDelay) };
    const mr = f.requestMirror;
    if (mr?.authority) {
      out = { ...out, mirror: { authority: mr.authority, ratio: ratio(mr.ratio), labels: { group: 'core', kind: 'Service', name: mr.name, namespace: mr.namespace, port: mr.port ? String(mr.port) : '' } } };
    }
  }
  const r = rule.retry;
  const retry: RouteRetry | undefined = r && r.maxRetries > 0 ? {
    maxRetries: r.maxRetries,
    statusRanges: (r.conditions?.statusRanges ?? []).map((s) => [s.start, s.end || s.start] as const),
    grpcCodes: new Set(),
    tryTimeoutMs: durationMs(r.timeout),
  } : undefined;
  return {
    ...out,
    matches: rule.matches.flatMap((m) => httpMatch(m) ?? []),
    backends: backends(rule.backends),
    requestTimeoutMs: durationMs(rule.timeouts?.request) ?? durationMs(rule.requestTimeout),
    retry,
  };
}

function grpcRule(rule: GrpcRoute__Output['rules'][number]): OutboundRule {
  const matches = rule.matches.flatMap((m): RequestMatch[] => {
    const headers = m.headers.map(header);
    if (headers.includes(undefined)) return [];
    return [{ path: undefined, headers: headers as ValueMatch[], query: [], method: undefined, rpc: { service: m.rpc?.service ?? '', method: m.rpc?.method ?? '' } }];
  });
  const fi = rule.filters.find((f) => f.failureInjector)?.failureInjector;
  const r = rule.retry;
  const c = r?.conditions;
  const codes = new Set(c ? Object.entries(GRPC_CONDITIONS).flatMap(([k, code]) => (c[k as keyof typeof GRPC_CONDITIONS] ? [code] : [])) : []);
  return {
    matches,
    requestHeaders: headerModifier(rule.filters.find((f) => f.requestHeaderModifier)?.requestHeaderModifier),
    responseHeaders: undefined,
    redirect: undefined,
    rewrite: undefined,
    mirror: undefined,
    abort: fi ? { status: fi.code || 2, message: fi.message, ratio: ratio(fi.ratio) } : undefined,
    delay: delay(rule.filters.find((f) => f.failureDelay)?.failureDelay),
    backends: backends(rule.backends),
    requestTimeoutMs: durationMs(rule.timeouts?.request) ?? durationMs(rule.requestTimeout),
    retry: r && r.maxRetries > 0 ? { maxRetries: r.maxRetries, statusRanges: [], grpcCodes: codes, tryTimeoutMs: durationMs(r.timeout) } : undefined,
  };
}

function routeLabels(m: Metadata__Output | null | undefined): ResourceLabels {
  const { group, kind, name, namespace } = resourceLabels(m);
  return { group, kind, name, namespace };
}

/** weft's route limit (field 100); a rate of 0 is no limit. */
function rateLimit(rl: RouteRateLimit__Output | null | undefined): OutboundRoute['rateLimit'] {
  if (!rl || !rl.requestsPerSecond) return undefined;
  const { name, namespace } = resourceLabels(rl.metadata);
  return { rps: rl.requestsPerSecond, name, namespace };
}

/** A route the control plane made up for a Service without routes. */
const isDefault = (r: { metadata: Metadata__Output | null }): boolean => !r.metadata?.resource;

/**
 * An EgressNetwork's answer: its default route (the last one without a resource) says what
 * unmatched traffic meets — a failure injector there is trafficPolicy Deny — and the opaque
 * default route's Forbidden filter refuses TCP.
 */
/** Whether the opaque routes refuse (a Forbidden filter); undefined when there are none. */
function opaqueForbidden(routes: readonly { readonly rules: readonly { readonly filters: readonly { readonly forbidden?: unknown }[] }[] }[] | undefined): boolean | undefined {
  if (!routes || routes.length === 0) return undefined;
  return routes.some((r) => r.rules.some((x) => x.filters.some((f) => f.forbidden)));
}

type DefaultRoute = { readonly metadata: Metadata__Output | null; readonly rules: readonly { readonly filters: readonly { readonly failureInjector?: unknown }[] }[] };

function egressView(defaults: readonly DefaultRoute[], opaqueForbidden: boolean | undefined): EgressView {
  const d = defaults.at(-1);
  const httpDenied = d?.rules.some((r) => r.filters.some((f) => f.failureInjector)) ?? false;
  return { defaultRoute: routeLabels(d?.metadata), httpDenied, opaqueDenied: opaqueForbidden ?? httpDenied };
}

export function decodeOutboundPolicy(p: OutboundPolicy__Output): OutboundPolicyView {
  const parent = resourceLabels(p.metadata);
  const isEgress = parent.kind === 'EgressNetwork';
  const proto = p.protocol;
  if (proto?.grpc) {
    const routes = proto.grpc.routes.filter((r) => !isDefault(r))
      .map((r): OutboundRoute => ({ labels: routeLabels(r.metadata), hosts: hosts(r.hosts), rules: r.rules.map(grpcRule), rateLimit: rateLimit(r.rateLimit) }));
    return { parent, protocol: 'grpc', routes, egress: isEgress ? egressView(proto.grpc.routes.filter(isDefault), undefined) : undefined };
  }
  // Detect, HTTP/1 and HTTP/2 all carry the same HTTPRoutes in weft's answers.
  const http = proto?.detect?.http1 ?? proto?.detect?.http2 ?? proto?.http1 ?? proto?.http2;
  const routes = (http?.routes ?? []).filter((r) => !isDefault(r))
    .map((r): OutboundRoute => ({ labels: routeLabels(r.metadata), hosts: hosts(r.hosts), rules: r.rules.map(httpRule), rateLimit: rateLimit(r.rateLimit) }));
  return { parent, protocol: 'http', routes, egress: isEgress ? egressView((http?.routes ?? []).filter(isDefault), opaqueForbidden(proto?.detect?.opaque?.routes)) : undefined };
}
