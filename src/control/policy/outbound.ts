// The outbound policy for one Service port (outbound.proto OutboundPolicy), as Linkerd's
// controller computes it: the HTTPRoutes (or GRPCRoutes) whose parentRef is the Service (and,
// when the parentRef names one, the port), each rule with its matches, filters, weighted
// backends and timeouts; without routes, one default route to the Service itself. Retries and
// timeouts may also come from Linkerd's route annotations (retry.linkerd.io/*,
// timeout.linkerd.io/*, the same under weft.io).
import type { OutboundPolicy } from '../../api/gen/io/linkerd/proxy/outbound/OutboundPolicy.js';
import type { HttpRoute, _io_linkerd_proxy_outbound_HttpRoute_Filter as OutboundHttpFilter } from '../../api/gen/io/linkerd/proxy/outbound/HttpRoute.js';
import type { GrpcRoute } from '../../api/gen/io/linkerd/proxy/outbound/GrpcRoute.js';
import type { Backend } from '../../api/gen/io/linkerd/proxy/outbound/Backend.js';
import type { RouteRateLimit } from '../../api/gen/io/linkerd/proxy/outbound/RouteRateLimit.js';
import type { _io_linkerd_proxy_outbound_HttpRoute_Retry as HttpRetry } from '../../api/gen/io/linkerd/proxy/outbound/HttpRoute.js';
import type { Timeouts } from '../../api/gen/io/linkerd/proxy/http_route/Timeouts.js';
import { duration as parseGoDuration } from '../store/fields.js';
import type { Service } from '../store/types.js';
import type { BackendRefSpec, HttpFilterSpec, ParentRef } from '../store/policy-types.js';
import type { PolicyIndex } from './policy-index.js';
import { nsKey } from './policy-index.js';
import { duration, grpcMatch, headerModifier, hostMatches, httpMatch, redirect, routeMetadata, urlRewrite } from './route-proto.js';
import { parseFault } from '../store/fault-annotations.js';
import type { FaultSpec } from '../store/fault-annotations.js';

export interface OutboundOptions {
  readonly clusterDomain: string;
  readonly detectTimeoutMs: number;
}

export interface ServicePort {
  readonly service: Service;
  readonly port: number;
}

/** The Service a target names: by name, or by cluster IP. */
export function findService(index: PolicyIndex, t: { kind: 'service'; namespace: string; name: string; port: number } | { kind: 'ip'; ip: string; port: number }): ServicePort | undefined {
  if (t.kind === 'service') {
    const s = index.services.get(nsKey(t.namespace, t.name));
    return s && s.spec.ports.some((p) => p.port === t.port) ? { service: s, port: t.port } : undefined;
  }
  for (const s of index.services.values()) {
    if (s.spec.clusterIP === t.ip && s.spec.ports.some((p) => p.port === t.port)) return { service: s, port: t.port };
  }
  return undefined;
}

export function backend(ref: { name: string; namespace: string; port: number }, o: OutboundOptions): Backend {
  const authority = `${ref.name}.${ref.namespace}.svc.${o.clusterDomain}:${ref.port}`;
  return {
    metadata: { resource: { group: 'core', kind: 'Service', name: ref.name, namespace: ref.namespace, port: ref.port } },
    balancer: {
      discovery: { dst: { path: authority } },
      peakEwma: { defaultRtt: duration(30), decay: duration(10_000) },
    },
    queue: { capacity: 100, failfastTimeout: duration(3000) },
  };
}

/** A rule's backends, in a shape every route kind's Distribution accepts (backends carry no filters). */
export type Distribution =
  | { readonly randomAvailable: { backends: { backend: { backend: Backend; filters: never[] }; weight: number }[] } }
  | { readonly firstAvailable: { backends: { backend: Backend; filters: never[] }[] } };

function distribution(refs: readonly BackendRefSpec[], self: ServicePort, o: OutboundOptions): Distribution {
  const services = refs.filter((r) => r.kind === 'Service');
  const targets = services.length > 0
    ? services.map((r) => ({ name: r.name, namespace: r.namespace ?? self.service.metadata.namespace, port: r.port ?? self.port, weight: r.weight }))
    : [{ name: self.service.metadata.name, namespace: self.service.metadata.namespace, port: self.port, weight: 1 }];
  return { randomAvailable: { backends: targets.map((t) => ({ backend: { backend: backend(t, o), filters: [] }, weight: t.weight })) } };
}

/**
 * What routes attach to and where their rules send traffic: a Service port here, an
 * EgressNetwork in egress.ts (its backends: the original destination).
 */
export interface RouteParent {
  /** The namespace the parent is in (default namespace of backend and mirror refs). */
  readonly namespace: string;
  readonly port: number;
  attached(route: { readonly spec: { readonly parentRefs: readonly ParentRef[] }; readonly metadata: { readonly namespace: string } }): boolean;
  backends(refs: readonly BackendRefSpec[]): Distribution;
}

function serviceParent(self: ServicePort, o: OutboundOptions): RouteParent {
  const ns = self.service.metadata.namespace;
  return {
    namespace: ns,
    port: self.port,
    attached: (r) => r.spec.parentRefs.some((p) => p.kind === 'Service' && p.name === self.service.metadata.name
      && (p.namespace ?? r.metadata.namespace) === ns && (p.port === undefined || p.port === self.port)),
    backends: (refs) => distribution(refs, self, o),
  };
}

/** An annotation's duration; a malformed one is ignored (annotations are not validated on apply). */
function parseDurationMs(v: string): number | undefined {
  try {
    return parseGoDuration(v, 'annotation');
  } catch {
    return undefined;
  }
}

/** `<kind>.weft.io/<key>`, else Linkerd's `<kind>.linkerd.io/<key>`. */
function annotation(ann: Readonly<Record<string, string>>, kind: 'retry' | 'timeout', key: string): string | undefined {
  return ann[`${kind}.weft.io/${key}`] ?? ann[`${kind}.linkerd.io/${key}`];
}

/** timeout.linkerd.io/{request,response,idle} (or timeout.weft.io/...), else the rule's own. */
function timeouts(ann: Readonly<Record<string, string>>, requestMs: number | undefined, backendMs: number | undefined): Timeouts {
  const t = (k: string, dflt: number | undefined) => {
    const v = annotation(ann, 'timeout', k);
    const ms = v === undefined ? dflt : parseDurationMs(v);
    return ms === undefined ? undefined : duration(ms);
  };
  return { request: t('request', requestMs), response: t('response', backendMs), idle: t('idle', undefined) };
}

/** retry.linkerd.io/http: "5xx,429" style status ranges; /limit; /timeout. */
function httpRetry(ann: Readonly<Record<string, string>>): HttpRetry | undefined {
  const spec = annotation(ann, 'retry', 'http');
  if (spec === undefined) return undefined;
  const ranges = spec.split(',').map((s) => s.trim()).flatMap((s) => {
    if (/^\dxx$/.test(s)) return [{ start: Number(s[0]) * 100, end: Number(s[0]) * 100 + 99 }];
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(s);
    return m ? [{ start: Number(m[1]), end: Number(m[2] ?? m[1]) }] : [];
  });
  const limit = Number(annotation(ann, 'retry', 'limit') ?? '1');
  const to = annotation(ann, 'retry', 'timeout');
  const toMs = to === undefined ? undefined : parseDurationMs(to);
  return {
    maxRetries: Number.isInteger(limit) && limit >= 0 ? limit : 1,
    maxRequestBytes: 64 * 1024,
    conditions: { statusRanges: ranges },
    timeout: toMs === undefined ? undefined : duration(toMs),
    backoff: { minBackoff: duration(25), maxBackoff: duration(250), jitterRatio: 1 },
  };
}

/** fault.weft.io/* (validated on apply; a route that somehow carries a bad one gets no fault). */
function faultOf(ann: Readonly<Record<string, string>>, grpc: boolean): FaultSpec | undefined {
  try {
    return parseFault(ann, grpc);
  } catch {
    return undefined;
  }
}

function delayFilter(f: FaultSpec | undefined) {
  return f?.delay ? [{ failureDelay: { delay: duration(f.delay.ms), ratio: f.delay.ratio } }] : [];
}

/** RequestMirror -> weft's extension: the mirror Service's authority (discovered like a backend) and ratio. */
function mirror(f: Extract<HttpFilterSpec, { type: 'RequestMirror' }>, ns: string, port: number, o: OutboundOptions) {
  const namespace = f.backend.namespace ?? ns;
  const p = f.backend.port ?? port;
  return {
    authority: `${f.backend.name}.${namespace}.svc.${o.clusterDomain}:${p}`,
    ratio: { numerator: f.numerator, denominator: f.denominator },
    name: f.backend.name, namespace, port: p,
  };
}

/** weft's outbound route limit: an HTTPLocalRateLimitPolicy in the route's namespace naming it. */
function routeRateLimit(index: PolicyIndex, kind: 'HTTPRoute' | 'GRPCRoute', route: { readonly metadata: { readonly name: string; readonly namespace: string } }): RouteRateLimit | undefined {
  const rl = index.inNamespace(index.rateLimits, route.metadata.namespace)
    .find((r) => r.spec.targetRef.kind === kind && r.spec.targetRef.name === route.metadata.name && r.spec.total !== undefined);
  if (!rl?.spec.total) return undefined;
  return { metadata: routeMetadata(rl.apiVersion, 'HTTPLocalRateLimitPolicy', rl.metadata), requestsPerSecond: rl.spec.total };
}

export function httpRoutes(index: PolicyIndex, parent: RouteParent, o: OutboundOptions): HttpRoute[] {
  const ns = parent.namespace;
  const out: HttpRoute[] = [];
  for (const r of index.httpRoutes.values()) {
    if (!parent.attached(r)) continue;
    const ann = r.metadata.annotations;
    const fault = faultOf(ann, false);
    // Faults come first: a request the route aborts is not redirected or rewritten.
    const faults: OutboundHttpFilter[] = [
      ...(fault?.abort ? [{ failureInjector: { status: fault.abort.status, message: fault.abort.message, ratio: fault.abort.ratio } }] : []),
      ...delayFilter(fault),
    ];
    out.push({
      metadata: routeMetadata(r.apiVersion, 'HTTPRoute', r.metadata),
      rateLimit: routeRateLimit(index, 'HTTPRoute', r),
      hosts: hostMatches(r.spec.hostnames),
      rules: r.spec.rules.map((rule) => ({
        matches: rule.matches.map(httpMatch),
        filters: [...faults, ...rule.filters.flatMap((f): OutboundHttpFilter[] =>
          f.type === 'RequestHeaderModifier' ? [{ requestHeaderModifier: headerModifier(f.modifier) }]
            : f.type === 'ResponseHeaderModifier' ? [{ responseHeaderModifier: headerModifier(f.modifier) }]
              : f.type === 'RequestRedirect' ? [{ redirect: redirect(f) }]
                : f.type === 'URLRewrite' ? [{ urlRewrite: urlRewrite(f) }]
                  : [{ requestMirror: mirror(f, ns, parent.port, o) }])],
        backends: parent.backends(rule.backendRefs),
        timeouts: timeouts(ann, rule.requestTimeoutMs, rule.backendRequestTimeoutMs),
        retry: httpRetry(ann),
      })),
    });
  }
  out.sort((a, b) => (a.metadata?.resource?.name ?? '').localeCompare(b.metadata?.resource?.name ?? ''));
  return out;
}

const GRPC_CODES: Record<string, string> = { cancelled: 'cancelled', 'deadline-exceeded': 'deadineExceeded', 'resource-exhausted': 'resourceExhausted', internal: 'internal', unavailable: 'unavailable' };

export function grpcRoutes(index: PolicyIndex, parent: RouteParent): GrpcRoute[] {
  const out: GrpcRoute[] = [];
  for (const r of index.grpcRoutes.values()) {
    if (!parent.attached(r)) continue;
    const ann = r.metadata.annotations;
    const codes = annotation(ann, 'retry', 'grpc');
    const limit = Number(annotation(ann, 'retry', 'limit') ?? '1');
    const fault = faultOf(ann, true);
    const faults = [
      ...(fault?.abort ? [{ failureInjector: { code: fault.abort.status, message: fault.abort.message, ratio: fault.abort.ratio } }] : []),
      ...delayFilter(fault),
    ];
    const rto = annotation(ann, 'retry', 'timeout');
    const rtoMs = rto === undefined ? undefined : parseDurationMs(rto);
    out.push({
      metadata: routeMetadata(r.apiVersion, 'GRPCRoute', r.metadata),
      rateLimit: routeRateLimit(index, 'GRPCRoute', r),
      hosts: hostMatches(r.spec.hostnames),
      rules: r.spec.rules.map((rule) => ({
        matches: rule.matches.map(grpcMatch),
        filters: [...faults, ...rule.filters.flatMap((f) => (f.type === 'RequestHeaderModifier' ? [{ requestHeaderModifier: headerModifier(f.modifier) }] : []))],
        backends: parent.backends(rule.backendRefs),
        timeouts: timeouts(ann, undefined, undefined),
        retry: codes === undefined ? undefined : {
          maxRetries: Number.isInteger(limit) && limit >= 0 ? limit : 1,
          maxRequestBytes: 64 * 1024,
          conditions: Object.fromEntries(codes.split(',').flatMap((c) => (GRPC_CODES[c.trim()] ? [[GRPC_CODES[c.trim()], true]] : []))),
          timeout: rtoMs === undefined ? undefined : duration(rtoMs),
        },
      })),
    });
  }
  return out;
}

/** The policy for a Service port; routes of both kinds: gRPC ones win (as Linkerd). */
export function outboundPolicy(index: PolicyIndex, self: ServicePort, o: OutboundOptions): OutboundPolicy {
  const metadata = { resource: { group: 'core', kind: 'Service', name: self.service.metadata.name, namespace: self.service.metadata.namespace, port: self.port } };
  const parent = serviceParent(self, o);
  const grpc = grpcRoutes(index, parent);
  if (grpc.length > 0) return { metadata, protocol: { grpc: { routes: grpc } } };
  const http = httpRoutes(index, parent, o);
  const routes: HttpRoute[] = http.length > 0 ? http : [{
    metadata: { default: 'http' },
    hosts: [],
    rules: [{ matches: [{ path: { prefix: '/' } }], filters: [], backends: distribution([], self, o) }],
  }];
  const opaqueRoute = { metadata: { default: 'opaq' }, rules: [{ backends: distribution([], self, o), filters: [] }] };
  return {
    metadata,
    protocol: { detect: { timeout: duration(o.detectTimeoutMs), opaque: { routes: [opaqueRoute] }, http1: { routes }, http2: { routes } } },
  };
}

export function serviceKey(s: ServicePort): string {
  return `${nsKey(s.service.metadata.namespace, s.service.metadata.name)}:${s.port}`;
}
