// EgressNetwork (Linkerd 2.17, policy.linkerd.io/v1alpha1; also policy.weft.io): the networks it
// captures and its default traffic policy, each field checked with an error naming it.
import { CidrSet, parseCidr } from '../../lib/cidr.js';
import type { Cidr } from '../../lib/cidr.js';
import type { ObjectMeta } from './types.js';
import { EGRESS_TRAFFIC_POLICIES } from './policy-types.js';
import type { EgressNetwork, NetworkSpec } from './policy-types.js';
import { FieldError, join, list, obj } from './fields.js';
import type { Obj } from './fields.js';
import { cidr, oneOf } from './validate-policy.js';

function network(v: unknown, path: string): NetworkSpec {
  const o = obj(v, path);
  const block = cidr(o['cidr'], join(path, 'cidr'));
  const outer = parseCidr(block) as Cidr;
  const within = new CidrSet([outer]);
  const except = list(o['except'], join(path, 'except')).map((e, j) => {
    const p = join(join(path, 'except'), j);
    const c = cidr(e, p);
    const inner = parseCidr(c) as Cidr;
    // An exception outside its network would silently except nothing (or less than it says).
    if (inner.family !== outer.family || inner.prefix < outer.prefix || !within.has(inner.ip)) throw new FieldError(p, `"${c}" is not within ${block}`);
    return c;
  });
  return Object.freeze({ cidr: block, except: Object.freeze(except) });
}

export function egressNetwork(doc: Obj, m: ObjectMeta, apiVersion: string): EgressNetwork {
  const spec = obj(doc['spec'], 'spec');
  if (spec['trafficPolicy'] === undefined || spec['trafficPolicy'] === null) {
    throw new FieldError('spec.trafficPolicy', `required: one of ${EGRESS_TRAFFIC_POLICIES.join(', ')}`);
  }
  const trafficPolicy = oneOf(spec['trafficPolicy'], 'spec.trafficPolicy', EGRESS_TRAFFIC_POLICIES);
  // Absent: Linkerd's default, everything outside the cluster networks (resolved by the controller).
  let networks: readonly NetworkSpec[] | undefined;
  if (spec['networks'] !== undefined && spec['networks'] !== null) {
    networks = Object.freeze(list(spec['networks'], 'spec.networks').map((n, i) => network(n, join('spec.networks', i))));
    if (networks.length === 0) throw new FieldError('spec.networks', 'an empty list captures nothing: leave networks out for everything outside the cluster');
  }
  return Object.freeze({ apiVersion, kind: 'EgressNetwork', metadata: m, spec: Object.freeze({ networks, trafficPolicy }) });
}
