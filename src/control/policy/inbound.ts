// The inbound policy for one workload port (inbound.proto Server), as Linkerd's controller
// computes it:
//   - the Server in the pod's namespace whose podSelector matches the pod and whose port is the
//     port (by number or container port name); several: the first by name;
//   - its authorizations: AuthorizationPolicies targeting it (or its Namespace), plus what its
//     accessPolicy allows when that is not deny;
//   - its routes: HTTPRoutes (GRPCRoutes for gRPC) whose parentRef is the Server, each with the
//     AuthorizationPolicies targeting the route; without any, one route "default" for all paths;
//   - its HTTPLocalRateLimitPolicy;
//   - no Server: the workload's default policy (pod annotation, else the controller's).
import type { Server as ServerMsg } from '../../api/gen/io/linkerd/proxy/inbound/Server.js';
import type { HttpRoute, _io_linkerd_proxy_inbound_HttpRoute_Filter as InboundHttpFilter } from '../../api/gen/io/linkerd/proxy/inbound/HttpRoute.js';
import type { GrpcRoute } from '../../api/gen/io/linkerd/proxy/inbound/GrpcRoute.js';
import type { HttpLocalRateLimit } from '../../api/gen/io/linkerd/proxy/inbound/HttpLocalRateLimit.js';
import type { ProxyProtocol } from '../../api/gen/io/linkerd/proxy/inbound/ProxyProtocol.js';
import type { DefaultPolicy, LabelSelector, Pod, PolicyRef, Server } from '../store/policy-types.js';
import { DEFAULT_POLICIES } from '../store/policy-types.js';
import type { AuthzOptions } from './authz.js';
import { authorizationsFor, defaultAuthorizations, group, spiffeId } from './authz.js';
import type { PolicyIndex } from './policy-index.js';
import { nsKey } from './policy-index.js';
import { duration, grpcMatch, headerModifier, hostMatches, httpMatch, redirect, routeMetadata } from './route-proto.js';

export const DEFAULT_POLICY_ANNOTATIONS = ['config.weft.io/default-inbound-policy', 'config.linkerd.io/default-inbound-policy'] as const;

export interface InboundOptions extends AuthzOptions {
  /** What a port no Server selects gets, unless the pod's annotation says otherwise. */
  readonly defaultPolicy: DefaultPolicy;
  /** Protocol detection timeout sent to proxies. */
  readonly detectTimeoutMs: number;
}

export interface Workload {
  readonly namespace: string;
  readonly pod: string;
}

/** PortSpec.workload: `{"ns":"<ns>","pod":"<pod>"}` (Linkerd's JSON form) or `<ns>:<pod>`. */
export function parseWorkload(s: string): Workload | undefined {
  if (s.startsWith('{')) {
    try {
      const o = JSON.parse(s) as { ns?: unknown; pod?: unknown };
      return typeof o.ns === 'string' && typeof o.pod === 'string' && o.ns && o.pod ? { namespace: o.ns, pod: o.pod } : undefined;
    } catch {
      return undefined;
    }
  }
  const m = /^([a-z0-9-]+):([a-z0-9.-]+)$/.exec(s);
  return m ? { namespace: m[1] as string, pod: m[2] as string } : undefined;
}

export function selects(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case 'In': if (!has || !e.values.includes(val as string)) return false; break;
      case 'NotIn': if (has && e.values.includes(val as string)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
    }
  }
  return true;
}

function serverPort(srv: Server, pod: Pod | undefined): number | undefined {
  if (typeof srv.spec.port === 'number') return srv.spec.port;
  return pod?.spec.ports.find((p) => p.name === srv.spec.port)?.containerPort;
}

/** The Server for a pod's port, if any. */
export function findServer(index: PolicyIndex, w: Workload, port: number): Server | undefined {
  const pod = index.pods.get(nsKey(w.namespace, w.pod));
  const labels = pod?.metadata.labels ?? {};
  return index.inNamespace(index.servers, w.namespace).find((s) => serverPort(s, pod) === port && selects(s.spec.podSelector, labels));
}

export function workloadDefault(index: PolicyIndex, w: Workload, o: InboundOptions): DefaultPolicy {
  const ann = index.pods.get(nsKey(w.namespace, w.pod))?.metadata.annotations ?? {};
  for (const a of DEFAULT_POLICY_ANNOTATIONS) {
    const v = ann[a];
    if (v && (DEFAULT_POLICIES as readonly string[]).includes(v)) return v as DefaultPolicy;
  }
  return o.defaultPolicy;
}

const DEFAULT_ROUTE: HttpRoute = { metadata: { default: 'default' }, hosts: [], authorizations: [], rules: [{ matches: [{ path: { prefix: '/' } }], filters: [] }] };
const DEFAULT_GRPC_ROUTE: GrpcRoute = { metadata: { default: 'default' }, hosts: [], authorizations: [], rules: [{ matches: [{ rpc: { service: '', method: '' } }], filters: [] }] };

function refTo(kind: string, name: string) {
  return (r: PolicyRef): boolean => r.kind === kind && r.name === name;
}

function httpRoutes(index: PolicyIndex, srv: Server, o: InboundOptions): HttpRoute[] {
  const ns = srv.metadata.namespace;
  const out: HttpRoute[] = [];
  for (const r of index.inNamespace(index.httpRoutes, ns)) {
    if (!r.spec.parentRefs.some((p) => p.kind === 'Server' && p.name === srv.metadata.name && (p.namespace ?? ns) === ns)) continue;
    out.push({
      metadata: routeMetadata(r.apiVersion, 'HTTPRoute', r.metadata),
      hosts: hostMatches(r.spec.hostnames),
      authorizations: authorizationsFor(index, ns, refTo('HTTPRoute', r.metadata.name), o),
      rules: r.spec.rules.map((rule) => ({
        matches: rule.matches.map(httpMatch),
        filters: rule.filters.flatMap((f): InboundHttpFilter[] =>
          f.type === 'RequestHeaderModifier' ? [{ requestHeaderModifier: headerModifier(f.modifier) }]
            : f.type === 'RequestRedirect' ? [{ redirect: redirect(f) }] : []),
      })),
    });
  }
  return out.length > 0 ? out : [DEFAULT_ROUTE];
}

function grpcRoutes(index: PolicyIndex, srv: Server, o: InboundOptions): GrpcRoute[] {
  const ns = srv.metadata.namespace;
  const out: GrpcRoute[] = [];
  for (const r of index.inNamespace(index.grpcRoutes, ns)) {
    if (!r.spec.parentRefs.some((p) => p.kind === 'Server' && p.name === srv.metadata.name && (p.namespace ?? ns) === ns)) continue;
    out.push({
      metadata: routeMetadata(r.apiVersion, 'GRPCRoute', r.metadata),
      hosts: hostMatches(r.spec.hostnames),
      authorizations: authorizationsFor(index, ns, refTo('GRPCRoute', r.metadata.name), o),
      rules: r.spec.rules.map((rule) => ({
        matches: rule.matches.map(grpcMatch),
        filters: rule.filters.flatMap((f) => (f.type === 'RequestHeaderModifier' ? [{ requestHeaderModifier: headerModifier(f.modifier) }] : [])),
      })),
    });
  }
  return out.length > 0 ? out : [DEFAULT_GRPC_ROUTE];
}

function rateLimit(index: PolicyIndex, srv: Server, o: InboundOptions): HttpLocalRateLimit | undefined {
  const ns = srv.metadata.namespace;
  const rl = index.inNamespace(index.rateLimits, ns).find((r) => r.spec.targetRef.kind === 'Server' && r.spec.targetRef.name === srv.metadata.name);
  if (!rl) return undefined;
  const limit = (rps: number | undefined) => (rps === undefined ? undefined : { requestsPerSecond: rps });
  return {
    metadata: routeMetadata(rl.apiVersion, 'HTTPLocalRateLimitPolicy', rl.metadata),
    total: limit(rl.spec.total),
    identity: limit(rl.spec.identity),
    overrides: rl.spec.overrides.map((ov) => ({
      limit: { requestsPerSecond: ov.requestsPerSecond },
      clients: { identities: ov.clientRefs.map((c) => ({ name: spiffeId(o.trustDomain, c.namespace ?? ns, c.name) })) },
    })),
  };
}

function protocol(index: PolicyIndex, srv: Server, o: InboundOptions): ProxyProtocol {
  const timeout = duration(o.detectTimeoutMs);
  switch (srv.spec.proxyProtocol) {
    case 'HTTP/1': return { http1: { routes: httpRoutes(index, srv, o), localRateLimit: rateLimit(index, srv, o) } };
    case 'HTTP/2': return { http2: { routes: httpRoutes(index, srv, o), localRateLimit: rateLimit(index, srv, o) } };
    case 'gRPC': return { grpc: { routes: grpcRoutes(index, srv, o) } };
    case 'opaque': return { opaque: {} };
    case 'TLS': return { tls: {} };
    default: return { detect: { timeout, httpRoutes: httpRoutes(index, srv, o), httpLocalRateLimit: rateLimit(index, srv, o) } };
  }
}

/** The policy for `port` of workload `w` (answers for unknown pods too: the default policy). */
export function inboundServer(index: PolicyIndex, w: Workload, port: number, o: InboundOptions): ServerMsg {
  const srv = findServer(index, w, port);
  if (!srv) {
    const policy = workloadDefault(index, w, o);
    return {
      protocol: { detect: { timeout: duration(o.detectTimeoutMs), httpRoutes: [DEFAULT_ROUTE] } },
      serverIps: [],
      authorizations: defaultAuthorizations(policy, o),
      labels: { group: '', kind: 'default', name: policy },
    };
  }
  const ns = srv.metadata.namespace;
  const authorizations = [
    ...authorizationsFor(index, ns, (r) => (r.kind === 'Server' && r.name === srv.metadata.name) || (r.kind === 'Namespace' && r.name === ns), o),
    ...(srv.spec.accessPolicy === 'deny' ? [] : defaultAuthorizations(srv.spec.accessPolicy, o)),
  ];
  return {
    protocol: protocol(index, srv, o),
    serverIps: [],
    authorizations,
    labels: { group: group(srv.apiVersion), kind: 'server', name: srv.metadata.name },
  };
}
