// The policy a port gets before (or without) an answer from the policy API: the proxy's
// configured default (WEFT_PROXY_INBOUND_DEFAULT_POLICY), the same names and meanings as the
// controller's defaults and Linkerd's config.linkerd.io/default-inbound-policy.
import { CidrSet, parseCidr } from '../../lib/cidr.js';
import type { Cidr } from '../../lib/cidr.js';
import type { Authentication, Authorization, PortPolicy } from './types.js';

export const DEFAULT_POLICY_NAMES = [
  'all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit',
] as const;
export type DefaultPolicyName = (typeof DEFAULT_POLICY_NAMES)[number];

export const DEFAULT_CLUSTER_NETWORKS = '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8,127.0.0.0/8';

const ALL = new CidrSet([parseCidr('0.0.0.0/0') as Cidr, parseCidr('::/0') as Cidr]);
const NONE = new CidrSet([]);

/** The authorization labels of a default policy: authz_kind "default", authz_name its name. */
export function defaultPortPolicy(name: DefaultPolicyName, clusterNetworks: readonly Cidr[]): PortPolicy {
  const cluster = new CidrSet(clusterNetworks);
  const anyId: Authentication = { kind: 'mtls', any: true, identities: new Set(), suffixes: [] };
  const mk = (net: CidrSet, authn: Authentication): Authorization[] => [{ networks: [{ net, except: NONE }], authn, labels: { group: '', kind: 'default', name } }];
  const authorizations = name === 'all-unauthenticated' || name === 'audit' ? mk(ALL, { kind: 'unauthenticated' })
    : name === 'all-authenticated' ? mk(ALL, anyId)
      : name === 'cluster-unauthenticated' ? mk(cluster, { kind: 'unauthenticated' })
        : name === 'cluster-authenticated' ? mk(cluster, anyId) : [];
  return {
    server: { group: '', kind: 'default', name },
    protocol: 'detect',
    authorizations,
    routes: [{ labels: { group: '', kind: 'default', name: 'default' }, hosts: [], rules: [{ matches: [{ path: { kind: 'prefix', value: '/' }, headers: [], query: [], method: undefined, rpc: undefined }], requestHeaders: undefined, redirect: undefined }], authorizations }],
    rateLimit: undefined,
  };
}

/** Whether an authorization is the audit default: allowed, but counted as what deny would refuse. */
export function isAudit(a: Authorization): boolean {
  return a.labels.kind === 'default' && a.labels.name === 'audit';
}
