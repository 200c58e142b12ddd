// EgressNetwork manifests as Linkerd 2.17's docs write them load unchanged (both groups), with
// `networks` left out meaning "outside the cluster networks"; routes may attach to one. Bad
// fields are named in policy-manifest.test.ts with the other policy kinds; fuzzed ones here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { mulberry32 } from '../../../bench/fuzz/mutate.js';
import { ManifestError, parseManifests } from '../../../src/control/store/manifest.js';
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

/** Replaces or deletes one randomly chosen value anywhere in the document (seeded). */
function mutate(doc: unknown, r: () => number): unknown {
  if (doc === null || typeof doc !== 'object') return JUNK[Math.floor(r() * JUNK.length)];
  const entries: [string | number, unknown][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
  if (entries.length === 0 || r() < 0.15) return JUNK[Math.floor(r() * JUNK.length)];
  const [k, v] = entries[Math.floor(r() * entries.length)] as [string | number, unknown];
  const copy: Record<string | number, unknown> = Array.isArray(doc) ? [...doc] as unknown as Record<number, unknown> : { ...(doc as object) };
  if (r() < 0.2 && !Array.isArray(doc)) delete copy[k];
  else copy[k] = mutate(v, r);
  return copy;
}

test('fuzzed EgressNetworks never crash validation: each is loaded or rejected naming a field', () => {
  const base = {
    apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'EgressNetwork', metadata: { name: 'e', namespace: 'n' },
    spec: { trafficPolicy: 'Deny', networks: [{ cidr: '203.0.113.0/24', except: ['203.0.113.9'] }, { cidr: '2001:db8::/32' }] },
  };
  let rejected = 0;
  for (let seed = 1; seed <= 2000; seed++) {
    const r = mulberry32(seed);
    let doc = mutate(base, r);
    if (r() < 0.5) doc = mutate(doc, r);
    const text = stringify(doc);
    try {
      parseManifests(text, 'fuzz.yaml');
    } catch (err) {
      assert.ok(err instanceof ManifestError, `seed ${seed}: ${String(err)}\n${text}`);
      if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) assert.ok(err.fieldPath.length > 0, `seed ${seed}: no field named: ${err.message}`);
      rejected++;
    }
  }
  assert.ok(rejected > 500, `only ${rejected} of 2000 mutations were rejected: the fuzzer is not reaching the validator`);
});
