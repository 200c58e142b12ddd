// Turns one parsed manifest document into a typed, frozen Resource, or throws a FieldError
// naming the field. Unknown fields are ignored (as kubectl does with a lenient client), so
// Linkerd's ServiceProfile YAML and full Kubernetes Services load unchanged.
import type {
  Endpoint, EndpointPort, EndpointSlice, ObjectMeta, RequestMatchSpec, Resource, ResponseMatchSpec,
  RetryBudgetSpec, RouteSpec, Service, ServicePort, ServiceProfile, WeightedDstSpec,
} from './types.js';
import {
  FieldError, bool, duration, int, join, list, milliQuantity, obj, optObj, optStr, port, str, strMap,
} from './fields.js';
import type { Obj } from './fields.js';
import {
  authorizationPolicy, httpLocalRateLimitPolicy, meshTLSAuthentication, networkAuthentication, pod, server,
} from './validate-policy.js';
import { grpcRoute, httpRoute } from './validate-routes.js';
import { jwtAuthentication } from './validate-jwt.js';
import { egressNetwork } from './validate-egress.js';

type PolicyValidator = (doc: Obj, m: ObjectMeta, apiVersion: string) => Resource;

/** Policy kinds by "apiVersion kind": weft's own group and the Linkerd / Gateway API versions accepted. */
const POLICY_VALIDATORS: Readonly<Record<string, PolicyValidator>> = (() => {
  const out: Record<string, PolicyValidator> = { 'v1 Pod': (d, m) => pod(d, m) };
  const add = (versions: readonly string[], kind: string, f: PolicyValidator): void => {
    for (const v of versions) out[`${v} ${kind}`] = f;
  };
  add(['policy.weft.io/v1beta3', 'policy.linkerd.io/v1beta1', 'policy.linkerd.io/v1beta2', 'policy.linkerd.io/v1beta3'], 'Server', server);
  add(['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], 'AuthorizationPolicy', authorizationPolicy);
  add(['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], 'MeshTLSAuthentication', meshTLSAuthentication);
  add(['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], 'NetworkAuthentication', networkAuthentication);
  add(['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], 'HTTPLocalRateLimitPolicy', httpLocalRateLimitPolicy);
  add(['policy.weft.io/v1alpha1'], 'JWTAuthentication', jwtAuthentication);
  add(['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], 'EgressNetwork', egressNetwork);
  add(['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1', 'policy.weft.io/v1beta3', 'policy.linkerd.io/v1beta3'], 'HTTPRoute', httpRoute);
  add(['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1alpha2'], 'GRPCRoute', grpcRoute);
  return Object.freeze(out);
})();

/** The "apiVersion kind" pairs `weft apply` accepts for policy (docs, errors). */
export const POLICY_API_KINDS: readonly string[] = Object.keys(POLICY_VALIDATORS);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HTTP_METHOD = /^[A-Z][A-Z0-9_-]*$/;

export function defaultNamespace(ns: string | undefined): string {
  return ns ?? 'default';
}

export function meta(doc: Obj, rv: string, nameRule: RegExp, defaultNs: string): ObjectMeta {
  const m = obj(doc['metadata'], 'metadata');
  const name = str(m['name'], 'metadata.name');
  if (name.length > 253 || !nameRule.test(name)) throw new FieldError('metadata.name', `"${name}" is not a valid DNS name`);
  const namespace = optStr(m['namespace'], 'metadata.namespace') ?? defaultNs;
  if (!DNS_LABEL.test(namespace)) throw new FieldError('metadata.namespace', `"${namespace}" is not a DNS-1123 label`);
  return Object.freeze({
    name,
    namespace,
    labels: strMap(m['labels'], 'metadata.labels'),
    annotations: strMap(m['annotations'], 'metadata.annotations'),
    resourceVersion: typeof m['resourceVersion'] === 'string' ? m['resourceVersion'] : rv,
  });
}

function service(doc: Obj, m: ObjectMeta): Service {
  const spec = obj(doc['spec'], 'spec');
  const ports = list(spec['ports'], 'spec.ports').map((p, i): ServicePort => {
    const path = join('spec.ports', i);
    const o = obj(p, path);
    const tp = o['targetPort'];
    let targetPort: number | string | undefined;
    if (typeof tp === 'number') targetPort = port(tp, join(path, 'targetPort'));
    else if (tp !== undefined && tp !== null) targetPort = str(tp, join(path, 'targetPort'));
    return Object.freeze({
      name: optStr(o['name'], join(path, 'name')) ?? '',
      port: port(o['port'], join(path, 'port')),
      targetPort,
      protocol: optStr(o['protocol'], join(path, 'protocol')) ?? 'TCP',
    });
  });
  const clusterIP = optStr(spec['clusterIP'], 'spec.clusterIP');
  return Object.freeze({
    apiVersion: 'v1', kind: 'Service', metadata: m,
    spec: Object.freeze({ clusterIP: clusterIP === 'None' ? undefined : clusterIP, ports: Object.freeze(ports) }),
  });
}

function endpointSlice(doc: Obj, m: ObjectMeta): EndpointSlice {
  if (!m.labels['kubernetes.io/service-name']) {
    throw new FieldError('metadata.labels', 'an EndpointSlice needs label kubernetes.io/service-name naming its Service');
  }
  const endpoints = list(doc['endpoints'], 'endpoints').map((e, i): Endpoint => {
    const path = join('endpoints', i);
    const o = obj(e, path);
    const addresses = list(o['addresses'], join(path, 'addresses')).map((a, j) => str(a, join(join(path, 'addresses'), j)));
    if (addresses.length === 0) throw new FieldError(join(path, 'addresses'), 'an endpoint needs at least one address');
    const cond = optObj(o['conditions'], join(path, 'conditions')) ?? {};
    const ref = optObj(o['targetRef'], join(path, 'targetRef'));
    const refPath = join(path, 'targetRef');
    return Object.freeze({
      addresses: Object.freeze(addresses),
      // Kubernetes: an unknown ready condition is to be read as ready.
      ready: bool(cond['ready'], join(join(path, 'conditions'), 'ready'), true),
      zone: optStr(o['zone'], join(path, 'zone')),
      hostname: optStr(o['hostname'], join(path, 'hostname')),
      targetRef: ref && Object.freeze({
        kind: optStr(ref['kind'], join(refPath, 'kind')) ?? 'Pod',
        name: str(ref['name'], join(refPath, 'name')),
        namespace: optStr(ref['namespace'], join(refPath, 'namespace')) ?? m.namespace,
        serviceAccountName: optStr(ref['serviceAccountName'], join(refPath, 'serviceAccountName')) ?? 'default',
        proxyInboundPort: ref['proxyInboundPort'] === undefined ? undefined : port(ref['proxyInboundPort'], join(refPath, 'proxyInboundPort')),
      }),
    });
  });
  const ports = list(doc['ports'], 'ports').map((p, i): EndpointPort => {
    const o = obj(p, join('ports', i));
    return Object.freeze({
      name: optStr(o['name'], join(join('ports', i), 'name')) ?? '',
      port: port(o['port'], join(join('ports', i), 'port')),
      protocol: optStr(o['protocol'], join(join('ports', i), 'protocol')) ?? 'TCP',
    });
  });
  return Object.freeze({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: m,
    addressType: optStr(doc['addressType'], 'addressType') ?? 'IPv4',
    endpoints: Object.freeze(endpoints), ports: Object.freeze(ports),
  });
}

// Linkerd's RequestMatch: several fields in one object all have to match (an implicit "all").
function requestMatch(v: unknown, path: string): RequestMatchSpec {
  const o = obj(v, path);
  const parts: RequestMatchSpec[] = [];
  if (o['method'] !== undefined) {
    const method = str(o['method'], join(path, 'method')).toUpperCase();
    if (!HTTP_METHOD.test(method)) throw new FieldError(join(path, 'method'), `"${method}" is not an HTTP method`);
    parts.push({ kind: 'method', method });
  }
  if (o['pathRegex'] !== undefined) {
    const regex = str(o['pathRegex'], join(path, 'pathRegex'));
    try {
      new RegExp(`^(?:${regex})$`);
    } catch (err) {
      throw new FieldError(join(path, 'pathRegex'), `invalid regular expression: ${(err as Error).message}`);
    }
    parts.push({ kind: 'path', regex });
  }
  if (o['all'] !== undefined) parts.push({ kind: 'all', matches: list(o['all'], join(path, 'all')).map((x, i) => requestMatch(x, join(join(path, 'all'), i))) });
  if (o['any'] !== undefined) parts.push({ kind: 'any', matches: list(o['any'], join(path, 'any')).map((x, i) => requestMatch(x, join(join(path, 'any'), i))) });
  if (o['not'] !== undefined) parts.push({ kind: 'not', match: requestMatch(o['not'], join(path, 'not')) });
  if (parts.length === 0) throw new FieldError(path, 'a condition needs at least one of method, pathRegex, all, any, not');
  return parts.length === 1 ? (parts[0] as RequestMatchSpec) : { kind: 'all', matches: parts };
}

function responseMatch(v: unknown, path: string): ResponseMatchSpec {
  const o = obj(v, path);
  const parts: ResponseMatchSpec[] = [];
  const status = optObj(o['status'], join(path, 'status'));
  if (status) {
    // As in Linkerd, a range given one bound is that one status ("min: 404 # This matches 404s
    // only"), not an open-ended range; both bounds are sent, since Linkerd's proxy drops a
    // status match whose other bound is 0.
    const sp = join(path, 'status');
    const lo = status['min'] === undefined ? undefined : int(status['min'], join(sp, 'min'), 100, 599);
    const hi = status['max'] === undefined ? undefined : int(status['max'], join(sp, 'max'), 100, 599);
    const min = lo ?? hi;
    const max = hi ?? lo;
    if (min === undefined || max === undefined) throw new FieldError(sp, 'a status range needs min, max or both');
    if (min > max) throw new FieldError(sp, `min ${min} is greater than max ${max}`);
    parts.push({ kind: 'status', min, max });
  }
  if (o['all'] !== undefined) parts.push({ kind: 'all', matches: list(o['all'], join(path, 'all')).map((x, i) => responseMatch(x, join(join(path, 'all'), i))) });
  if (o['any'] !== undefined) parts.push({ kind: 'any', matches: list(o['any'], join(path, 'any')).map((x, i) => responseMatch(x, join(join(path, 'any'), i))) });
  if (o['not'] !== undefined) parts.push({ kind: 'not', match: responseMatch(o['not'], join(path, 'not')) });
  if (parts.length === 0) throw new FieldError(path, 'a response condition needs at least one of status, all, any, not');
  return parts.length === 1 ? (parts[0] as ResponseMatchSpec) : { kind: 'all', matches: parts };
}

function route(v: unknown, path: string): RouteSpec {
  const o = obj(v, path);
  return Object.freeze({
    name: str(o['name'], join(path, 'name')),
    condition: requestMatch(o['condition'], join(path, 'condition')),
    responseClasses: Object.freeze(list(o['responseClasses'], join(path, 'responseClasses')).map((rc, i) => {
      const rp = join(join(path, 'responseClasses'), i);
      const r = obj(rc, rp);
      return Object.freeze({ condition: responseMatch(r['condition'], join(rp, 'condition')), isFailure: bool(r['isFailure'], join(rp, 'isFailure'), false) });
    })),
    isRetryable: bool(o['isRetryable'], join(path, 'isRetryable'), false),
    timeoutMs: o['timeout'] === undefined ? undefined : duration(o['timeout'], join(path, 'timeout')),
  });
}

function retryBudget(v: unknown, path: string): RetryBudgetSpec | undefined {
  const o = optObj(v, path);
  if (!o) return undefined;
  const ratio = o['retryRatio'];
  if (typeof ratio !== 'number' || !(ratio >= 0)) throw new FieldError(join(path, 'retryRatio'), 'expected a number >= 0');
  return Object.freeze({
    retryRatio: ratio,
    minRetriesPerSecond: int(o['minRetriesPerSecond'], join(path, 'minRetriesPerSecond'), 0, 2 ** 32 - 1),
    ttlMs: duration(o['ttl'], join(path, 'ttl')),
  });
}

function serviceProfile(doc: Obj, m: ObjectMeta, apiVersion: ServiceProfile['apiVersion']): ServiceProfile {
  const spec = obj(doc['spec'], 'spec');
  const dstOverrides = list(spec['dstOverrides'], 'spec.dstOverrides').map((d, i): WeightedDstSpec => {
    const p = join('spec.dstOverrides', i);
    const o = obj(d, p);
    return Object.freeze({ authority: str(o['authority'], join(p, 'authority')), weight: milliQuantity(o['weight'], join(p, 'weight')) });
  });
  return Object.freeze({
    apiVersion, kind: 'ServiceProfile', metadata: m,
    spec: Object.freeze({
      routes: Object.freeze(list(spec['routes'], 'spec.routes').map((r, i) => route(r, join('spec.routes', i)))),
      retryBudget: retryBudget(spec['retryBudget'], 'spec.retryBudget'),
      dstOverrides: Object.freeze(dstOverrides),
      opaquePorts: Object.freeze(list(spec['opaquePorts'], 'spec.opaquePorts').map((p, i) => port(p, join('spec.opaquePorts', i)))),
    }),
  });
}

/** Validates one document. `rv` is the resourceVersion to stamp when the document has none. */
export function validateResource(doc: unknown, rv = '0', defaultNs = 'default'): Resource {
  const o = obj(doc, '');
  const apiVersion = str(o['apiVersion'], 'apiVersion');
  const kind = str(o['kind'], 'kind');
  switch (`${apiVersion} ${kind}`) {
    case 'v1 Service':
      return service(o, meta(o, rv, DNS_LABEL, defaultNs));
    case 'discovery.k8s.io/v1 EndpointSlice':
      return endpointSlice(o, meta(o, rv, DNS_SUBDOMAIN, defaultNs));
    case 'weft.io/v1alpha1 ServiceProfile':
    case 'linkerd.io/v1alpha2 ServiceProfile':
      return serviceProfile(o, meta(o, rv, DNS_SUBDOMAIN, defaultNs), apiVersion as ServiceProfile['apiVersion']);
    default: {
      const policy = POLICY_VALIDATORS[`${apiVersion} ${kind}`];
      if (policy) return policy(o, meta(o, rv, DNS_SUBDOMAIN, defaultNs), apiVersion);
      throw new FieldError('kind', `unsupported resource ${apiVersion} ${kind} (supported: v1 Service, discovery.k8s.io/v1 EndpointSlice, weft.io/v1alpha1 or linkerd.io/v1alpha2 ServiceProfile, ${[...new Set(POLICY_API_KINDS.map((k) => k.split(' ')[1]))].join(', ')})`);
    }
  }
}
