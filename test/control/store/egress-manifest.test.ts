// EgressNetwork manifests as Linkerd 2.17's docs write them load unchanged (both groups), with
// `networks` left out meaning "outside the cluster networks"; routes may attach to one. Bad
// fields are named in policy-manifest.test.ts with the other policy kinds; fuzzed ones here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzManifests } from '../../helpers/manifest-fuzz.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import type { EgressNetwork, HTTPRoute } from '../../../src/control/store/policy-types.js';

test('EgressNetwork and a route attached to it load from Linkerd\'s shapes', () => {
  const [all, some, route] = parseManifests(`
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {namespace: egress-test, name: all-egress-traffic}
spec: {trafficPolicy: Allow}
---
apiVersion: policy.weft.io/v1alpha1
kind: EgressNetwork
metadata: {namespace: egress-test, name: partners}
spec:
  trafficPolicy: Deny
  networks:
  - cidr: 203.0.113.0/24
    except: [203.0.113.128/25, 203.0.113.7]
  - cidr: 2001:db8::/32
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {namespace: egress-test, name: httpbin-get}
spec:
  parentRefs: [{name: partners, kind: EgressNetwork, group: policy.linkerd.io, namespace: egress-test, port: 80}]
  rules: [{matches: [{path: {value: /get}}]}]
`, 'egress.yaml') as [EgressNetwork, EgressNetwork, HTTPRoute];
  assert.equal(all.spec.trafficPolicy, 'Allow');
  assert.equal(all.spec.networks, undefined, 'absent: everything outside the cluster networks');
  assert.equal(some.apiVersion, 'policy.weft.io/v1alpha1');
  assert.deepEqual(some.spec.networks, [{ cidr: '203.0.113.0/24', except: ['203.0.113.128/25', '203.0.113.7'] }, { cidr: '2001:db8::/32', except: [] }]);
  assert.deepEqual(route.spec.parentRefs[0], { group: 'policy.linkerd.io', kind: 'EgressNetwork', name: 'partners', namespace: 'egress-test', port: 80 });
});

const JUNK: unknown[] = [null, 0, -1, 1.5, '', 'x', 'allow', 'DENY', '10.0.0.0/99', '::/129', '1.2.3.4/8', [], [null], [{}], {}, { cidr: 1 }, true];

test('fuzzed EgressNetworks never crash validation: each is loaded or rejected naming a field', () => {
  const base = {
    apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'EgressNetwork', metadata: { name: 'e', namespace: 'n' },
    spec: { trafficPolicy: 'Deny', networks: [{ cidr: '203.0.113.0/24', except: ['203.0.113.9'] }, { cidr: '2001:db8::/32' }] },
  };
  const rejected = fuzzManifests([base], 2000, JUNK);
  assert.ok(rejected > 500, `only ${rejected} of 2000 mutations were rejected: the fuzzer is not reaching the validator`);
});
