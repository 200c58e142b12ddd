// Validation of the policy kinds (policy-types.ts) other than routes (validate-routes.ts): every
// malformed field is a FieldError naming it. Linkerd's manifests load unchanged: the same kinds
// and fields under policy.linkerd.io, and policy.weft.io as weft's own group.
import { parseCidr } from '../../lib/cidr.js';
import type { ObjectMeta } from './types.js';
import type {
  AuthorizationPolicy, ContainerPort, DefaultPolicy, HTTPLocalRateLimitPolicy, LabelSelector,
  LabelSelectorRequirement, MeshTLSAuthentication, NetworkAuthentication, NetworkSpec, Pod, PolicyRef,
  ProxyProtocolName, Server,
} from './policy-types.js';
import { DEFAULT_POLICIES, PROXY_PROTOCOLS } from './policy-types.js';
import { FieldError, int, join, list, obj, optObj, optStr, port, str, strMap } from './fields.js';
import type { Obj } from './fields.js';

const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[], dflt?: T): T {
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  const s = str(v, path);
  if (!(allowed as readonly string[]).includes(s)) throw new FieldError(path, `"${s}" is not one of ${allowed.join(', ')}`);
  return s as T;
}

export function labelSelector(v: unknown, path: string): LabelSelector {
  const o = optObj(v, path) ?? {};
  const exprs = list(o['matchExpressions'], join(path, 'matchExpressions')).map((e, i): LabelSelectorRequirement => {
    const p = join(join(path, 'matchExpressions'), i);
    const x = obj(e, p);
    const operator = oneOf(x['operator'], join(p, 'operator'), ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
    const values = list(x['values'], join(p, 'values')).map((s, j) => str(s, join(join(p, 'values'), j)));
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) throw new FieldError(join(p, 'values'), `operator ${operator} needs at least one value`);
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) throw new FieldError(join(p, 'values'), `operator ${operator} takes no values`);
    return Object.freeze({ key: str(x['key'], join(p, 'key')), operator, values: Object.freeze(values) });
  });
  return Object.freeze({ matchLabels: strMap(o['matchLabels'], join(path, 'matchLabels')), matchExpressions: Object.freeze(exprs) });
}

/** A port number or an IANA service name (a container port's name). */
function portRef(v: unknown, path: string): number | string {
  if (typeof v === 'number') return port(v, path);
  const s = str(v, path);
  if (s.length > 15 || !IANA_SVC_NAME.test(s)) throw new FieldError(path, `"${s}" is neither a port number nor a port name`);
  return s;
}

export function policyRef(v: unknown, path: string, kinds?: readonly string[]): PolicyRef {
  const o = obj(v, path);
  const kind = str(o['kind'], join(path, 'kind'));
  if (kinds && !kinds.some((k) => k.toLowerCase() === kind.toLowerCase())) {
    throw new FieldError(join(path, 'kind'), `"${kind}" is not one of ${kinds.join(', ')}`);
  }
  const canonical = kinds?.find((k) => k.toLowerCase() === kind.toLowerCase()) ?? kind;
  return Object.freeze({
    group: typeof o['group'] === 'string' ? o['group'] : '',
    kind: canonical,
    name: str(o['name'], join(path, 'name')),
    namespace: optStr(o['namespace'], join(path, 'namespace')),
  });
}

export function pod(doc: Obj, m: ObjectMeta): Pod {
  const spec = obj(doc['spec'], 'spec');
  const ports: ContainerPort[] = [];
  list(spec['containers'], 'spec.containers').forEach((c, i) => {
    const cp = join('spec.containers', i);
    list(obj(c, cp)['ports'], join(cp, 'ports')).forEach((p, j) => {
      const pp = join(join(cp, 'ports'), j);
      const po = obj(p, pp);
      ports.push(Object.freeze({ name: optStr(po['name'], join(pp, 'name')) ?? '', containerPort: port(po['containerPort'], join(pp, 'containerPort')) }));
    });
  });
  return Object.freeze({
    apiVersion: 'v1', kind: 'Pod', metadata: m,
    spec: Object.freeze({ serviceAccountName: optStr(spec['serviceAccountName'], 'spec.serviceAccountName') ?? 'default', ports: Object.freeze(ports) }),
  });
}

export function server(doc: Obj, m: ObjectMeta, apiVersion: string): Server {
  const spec = obj(doc['spec'], 'spec');
  if (spec['podSelector'] === undefined) throw new FieldError('spec.podSelector', 'a Server needs a podSelector');
  return Object.freeze({
    apiVersion, kind: 'Server', metadata: m,
    spec: Object.freeze({
      podSelector: labelSelector(spec['podSelector'], 'spec.podSelector'),
      port: portRef(spec['port'], 'spec.port'),
      proxyProtocol: oneOf<ProxyProtocolName>(spec['proxyProtocol'], 'spec.proxyProtocol', PROXY_PROTOCOLS, 'unknown'),
      accessPolicy: oneOf<DefaultPolicy>(spec['accessPolicy'], 'spec.accessPolicy', DEFAULT_POLICIES, 'deny'),
    }),
  });
}

const TARGET_KINDS = ['Server', 'HTTPRoute', 'GRPCRoute', 'Namespace'];
const AUTHN_KINDS = ['MeshTLSAuthentication', 'NetworkAuthentication', 'ServiceAccount', 'JWTAuthentication'];

export function authorizationPolicy(doc: Obj, m: ObjectMeta, apiVersion: string): AuthorizationPolicy {
  const spec = obj(doc['spec'], 'spec');
  const refs = list(spec['requiredAuthenticationRefs'], 'spec.requiredAuthenticationRefs')
    .map((r, i) => policyRef(r, join('spec.requiredAuthenticationRefs', i), AUTHN_KINDS));
  return Object.freeze({
    apiVersion, kind: 'AuthorizationPolicy', metadata: m,
    spec: Object.freeze({ targetRef: policyRef(spec['targetRef'], 'spec.targetRef', TARGET_KINDS), requiredAuthenticationRefs: Object.freeze(refs) }),
  });
}

function identity(v: unknown, path: string): string {
  const s = str(v, path);
  if (s === '*' || /^spiffe:\/\/[^/\s]+\/\S+$/.test(s) || /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s)) return s;
  throw new FieldError(path, `"${s}" is not an identity (expected "*", a spiffe:// ID or a DNS-like name)`);
}

export function meshTLSAuthentication(doc: Obj, m: ObjectMeta, apiVersion: string): MeshTLSAuthentication {
  const spec = obj(doc['spec'], 'spec');
  const identities = list(spec['identities'], 'spec.identities').map((s, i) => identity(s, join('spec.identities', i)));
  const identityRefs = list(spec['identityRefs'], 'spec.identityRefs').map((r, i) => policyRef(r, join('spec.identityRefs', i), ['ServiceAccount', 'Namespace']));
  if (identities.length === 0 && identityRefs.length === 0) throw new FieldError('spec', 'a MeshTLSAuthentication needs identities or identityRefs');
  return Object.freeze({ apiVersion, kind: 'MeshTLSAuthentication', metadata: m, spec: Object.freeze({ identities: Object.freeze(identities), identityRefs: Object.freeze(identityRefs) }) });
}

export function cidr(v: unknown, path: string): string {
  const s = str(v, path);
  if (!parseCidr(s)) throw new FieldError(path, `"${s}" is not a CIDR block or IP address`);
  return s;
}

export function networkAuthentication(doc: Obj, m: ObjectMeta, apiVersion: string): NetworkAuthentication {
  const spec = obj(doc['spec'], 'spec');
  const networks = list(spec['networks'], 'spec.networks').map((n, i): NetworkSpec => {
    const p = join('spec.networks', i);
    const o = obj(n, p);
    return Object.freeze({
      cidr: cidr(o['cidr'], join(p, 'cidr')),
      except: Object.freeze(list(o['except'], join(p, 'except')).map((e, j) => cidr(e, join(join(p, 'except'), j)))),
    });
  });
  if (networks.length === 0) throw new FieldError('spec.networks', 'a NetworkAuthentication needs at least one network');
  return Object.freeze({ apiVersion, kind: 'NetworkAuthentication', metadata: m, spec: Object.freeze({ networks: Object.freeze(networks) }) });
}

function rps(v: unknown, path: string): number | undefined {
  const o = optObj(v, path);
  return o ? int(o['requestsPerSecond'], join(path, 'requestsPerSecond'), 1, 2 ** 32 - 1) : undefined;
}

export function httpLocalRateLimitPolicy(doc: Obj, m: ObjectMeta, apiVersion: string): HTTPLocalRateLimitPolicy {
  const spec = obj(doc['spec'], 'spec');
  const overrides = list(spec['overrides'], 'spec.overrides').map((o, i) => {
    const p = join('spec.overrides', i);
    const x = obj(o, p);
    const refs = list(x['clientRefs'], join(p, 'clientRefs'));
    if (refs.length === 0) throw new FieldError(join(p, 'clientRefs'), 'an override needs at least one client');
    return Object.freeze({
      requestsPerSecond: int(x['requestsPerSecond'], join(p, 'requestsPerSecond'), 1, 2 ** 32 - 1),
      clientRefs: Object.freeze(refs.map((r, j) => policyRef(r, join(join(p, 'clientRefs'), j), ['ServiceAccount']))),
    });
  });
  // A Server (inbound, Linkerd's) or, beyond Linkerd, an outbound route: each client proxy
  // limits its own requests on it, so only a total applies.
  const targetRef = policyRef(spec['targetRef'], 'spec.targetRef', ['Server', 'HTTPRoute', 'GRPCRoute']);
  const total = rps(spec['total'], 'spec.total');
  const identity = rps(spec['identity'], 'spec.identity');
  if (targetRef.kind !== 'Server') {
    if (total === undefined) throw new FieldError('spec.total', `a limit on ${targetRef.kind} ${targetRef.name} needs a total (each client proxy applies it to its own requests)`);
    if (identity !== undefined) throw new FieldError('spec.identity', 'per-identity limits apply to a Server only: on a route each client proxy limits its own requests');
    if (overrides.length > 0) throw new FieldError('spec.overrides', 'overrides apply to a Server only');
  }
  return Object.freeze({
    apiVersion, kind: 'HTTPLocalRateLimitPolicy', metadata: m,
    spec: Object.freeze({ targetRef, total, identity, overrides: Object.freeze(overrides) }),
  });
}
