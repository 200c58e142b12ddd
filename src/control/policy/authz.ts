// Authorizations as the inbound policy API sends them (inbound.proto Authz): from an
// AuthorizationPolicy and the authentications it requires, or from a default policy name.
//
// Identities: weft's are SPIFFE IDs (spiffe://<td>/ns/<ns>/sa/<sa>). Literal identities go as
// they are; "*" is the empty suffix (any authenticated client); a namespace-wide reference
// (ServiceAccount "*", or a Namespace) is a suffix over the DNS form Linkerd uses for the same
// identity, `<sa>.<ns>.serviceaccount.identity.<td>`, which the proxy derives from the SPIFFE ID.
import type { Authz } from '../../api/gen/io/linkerd/proxy/inbound/Authz.js';
import type { Network } from '../../api/gen/io/linkerd/proxy/inbound/Network.js';
import type { IPNetwork } from '../../api/gen/io/linkerd/proxy/net/IPNetwork.js';
import type { Metadata } from '../../api/gen/io/linkerd/proxy/meta/Metadata.js';
import type { WeftJwtAuthn } from '../../api/gen/io/linkerd/proxy/inbound/WeftJwtAuthn.js';
import { parseCidr } from '../../lib/cidr.js';
import { tcpAddress } from '../destination/translate.js';
import type { AuthorizationPolicy, DefaultPolicy, PolicyRef } from '../store/policy-types.js';
import type { PolicyIndex } from './policy-index.js';
import { weftJwt } from './jwt.js';
import { nsKey } from './policy-index.js';

export interface AuthzOptions {
  readonly trustDomain: string;
  /** CIDRs counted as "the cluster" by the cluster-* default policies. */
  readonly clusterNetworks: readonly string[];
}

/** Linkerd's default cluster networks, and loopback (the local runtime's loopback mode). */
export const DEFAULT_CLUSTER_NETWORKS: readonly string[] = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8', '127.0.0.0/8'];

const ALL_NETWORKS = ['0.0.0.0/0', '::/0'];

export function ipNetwork(cidr: string): IPNetwork | undefined {
  const c = parseCidr(cidr);
  return c ? { ip: tcpAddress(c.ip, 0).ip, prefixLen: c.prefix } : undefined;
}

function network(cidr: string, except: readonly string[] = []): Network {
  return { net: ipNetwork(cidr), except: except.flatMap((e) => ipNetwork(e) ?? []) };
}

export function spiffeId(trustDomain: string, namespace: string, sa: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${sa}`;
}

/** Suffix parts matching every service account of a namespace (DNS form, see above). */
function namespaceSuffix(trustDomain: string, namespace: string): string[] {
  return [namespace, 'serviceaccount', 'identity', ...trustDomain.split('.')];
}

function defaultMeta(name: string): Metadata {
  return { default: name };
}

function labels(kind: string, name: string, group = ''): Record<string, string> {
  return { group, kind, name };
}

/** The authorizations a default policy grants (none for deny). */
export function defaultAuthorizations(policy: DefaultPolicy, o: AuthzOptions): Authz[] {
  const meshAny = { meshTLS: { identities: { identities: [], suffixes: [{ parts: [] }] } } };
  const unauth = { unauthenticated: {} };
  const mk = (nets: readonly string[], authentication: Authz['authentication']): Authz[] => [{
    networks: nets.map((n) => network(n)),
    authentication,
    labels: labels('default', policy),
    metadata: defaultMeta(policy),
  }];
  switch (policy) {
    case 'all-unauthenticated':
    case 'audit': // allowed, but the proxy counts and logs it as what a deny would have refused
      return mk(ALL_NETWORKS, unauth);
    case 'all-authenticated':
      return mk(ALL_NETWORKS, meshAny);
    case 'cluster-unauthenticated':
      return mk(o.clusterNetworks, unauth);
    case 'cluster-authenticated':
      return mk(o.clusterNetworks, meshAny);
    case 'deny':
      return [];
  }
}

interface Identities {
  readonly identities: string[];
  readonly suffixes: string[][];
}

function refNs(ref: PolicyRef, ns: string): string {
  return ref.namespace ?? ns;
}

function addIdentity(out: Identities, id: string): void {
  if (id === '*') out.suffixes.push([]);
  else if (id.startsWith('*.')) out.suffixes.push(id.slice(2).split('.'));
  else out.identities.push(id);
}

/**
 * The Authz for one AuthorizationPolicy, or undefined when it cannot apply (a required
 * authentication does not exist: as Linkerd, the policy is ignored rather than widened).
 */
export function policyAuthz(index: PolicyIndex, ap: AuthorizationPolicy, o: AuthzOptions): Authz | undefined {
  const ns = ap.metadata.namespace;
  let ids: Identities | undefined;
  let jwt: WeftJwtAuthn | undefined;
  const nets: Network[] = [];
  for (const ref of ap.spec.requiredAuthenticationRefs) {
    const rns = refNs(ref, ns);
    if (ref.kind === 'ServiceAccount') {
      ids ??= { identities: [], suffixes: [] };
      if (ref.name === '*') ids.suffixes.push(namespaceSuffix(o.trustDomain, rns));
      else ids.identities.push(spiffeId(o.trustDomain, rns, ref.name));
    } else if (ref.kind === 'MeshTLSAuthentication') {
      const m = index.meshTLSAuthentications.get(nsKey(rns, ref.name));
      if (!m) return undefined;
      ids ??= { identities: [], suffixes: [] };
      for (const id of m.spec.identities) addIdentity(ids, id);
      for (const r of m.spec.identityRefs) {
        const n = r.kind === 'Namespace' ? r.name : refNs(r, m.metadata.namespace);
        if (r.kind === 'Namespace' || r.name === '*') ids.suffixes.push(namespaceSuffix(o.trustDomain, n));
        else ids.identities.push(spiffeId(o.trustDomain, n, r.name));
      }
    } else if (ref.kind === 'JWTAuthentication') {
      const j = index.jwtAuthentications.get(nsKey(rns, ref.name));
      const w = j && weftJwt(j);
      if (!w) return undefined;
      jwt = w;
    } else {
      const n = index.networkAuthentications.get(nsKey(rns, ref.name));
      if (!n) return undefined;
      for (const net of n.spec.networks) nets.push(network(net.cidr, net.except));
    }
  }
  return {
    networks: nets.length > 0 ? nets : ALL_NETWORKS.map((n) => network(n)),
    authentication: ids ? { meshTLS: { identities: { identities: ids.identities.map((name) => ({ name })), suffixes: ids.suffixes.map((parts) => ({ parts })) } } } : { unauthenticated: {} },
    labels: labels('authorizationpolicy', ap.metadata.name, group(ap.apiVersion)),
    metadata: { resource: { group: group(ap.apiVersion), kind: 'AuthorizationPolicy', name: ap.metadata.name, namespace: ns } },
    ...(jwt ? { weftJwt: jwt } : {}),
  };
}

export function group(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Authorizations of the policies in `namespace` whose targetRef matches. */
export function authorizationsFor(index: PolicyIndex, namespace: string, targets: (ref: PolicyRef) => boolean, o: AuthzOptions): Authz[] {
  const out: Authz[] = [];
  for (const ap of index.inNamespace(index.authorizationPolicies, namespace)) {
    if (!targets(ap.spec.targetRef)) continue;
    const a = policyAuthz(index, ap, o);
    if (a) out.push(a);
  }
  return out;
}
