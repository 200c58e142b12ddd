import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests, ManifestError } from '../../../src/control/store/manifest.js';
import type { EndpointSlice, Service, ServiceProfile } from '../../../src/control/store/types.js';

// A ServiceProfile as Linkerd users write it (linkerd.io/v1alpha2), loaded unchanged.
const LINKERD_PROFILE = `
apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata:
  name: books.booksapp.svc.cluster.local
  namespace: booksapp
spec:
  routes:
  - condition:
      method: GET
      pathRegex: /books/[^/]*\\.json
    name: GET /books/{id}.json
    isRetryable: true
    timeout: 300ms
    responseClasses:
    - condition:
        status:
          min: 500
          max: 599
      isFailure: true
  - condition:
      any:
      - method: POST
      - not:
          pathRegex: /health
    name: mixed
  retryBudget:
    retryRatio: 0.2
    minRetriesPerSecond: 10
    ttl: 10s
  dstOverrides:
  - authority: books-v2.booksapp.svc.cluster.local:7002
    weight: 500m
  - authority: books.booksapp.svc.cluster.local:7002
    weight: 500m
`;

test('linkerd_v1alpha2_service_profile_loads_unchanged', () => {
  const [sp] = parseManifests(LINKERD_PROFILE, 'sp.yaml') as [ServiceProfile];
  assert.equal(sp.kind, 'ServiceProfile');
  assert.equal(sp.apiVersion, 'linkerd.io/v1alpha2');
  assert.equal(sp.metadata.namespace, 'booksapp');
  assert.equal(sp.spec.routes.length, 2);
  const r0 = sp.spec.routes[0]!;
  assert.deepEqual(r0.condition, { kind: 'all', matches: [{ kind: 'method', method: 'GET' }, { kind: 'path', regex: '/books/[^/]*\\.json' }] });
  assert.equal(r0.timeoutMs, 300);
  assert.equal(r0.isRetryable, true);
  assert.deepEqual(r0.responseClasses, [{ condition: { kind: 'status', min: 500, max: 599 }, isFailure: true }]);
  assert.deepEqual(sp.spec.routes[1]!.condition, {
    kind: 'any', matches: [{ kind: 'method', method: 'POST' }, { kind: 'not', match: { kind: 'path', regex: '/health' } }],
  });
  assert.deepEqual(sp.spec.retryBudget, { retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 });
  assert.deepEqual(sp.spec.dstOverrides.map((d) => d.weight), [500, 500]);
  assert.ok(Object.isFrozen(sp.spec));
});

test('multi_document_service_and_endpoint_slice', () => {
  const rs = parseManifests(`
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: 10.96.0.10
  ports: [{name: http, port: 80, targetPort: 8080}]
---
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [10.0.0.1]
  conditions: {ready: true}
  zone: z1
  targetRef: {kind: Pod, name: web-1, namespace: default, serviceAccountName: web}
ports: [{name: http, port: 8080, protocol: TCP}]
`, 'app.yaml');
  assert.equal(rs.length, 2);
  const svc = rs[0] as Service;
  assert.equal(svc.metadata.namespace, 'default');
  assert.deepEqual(svc.spec.ports[0], { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' });
  const slice = rs[1] as EndpointSlice;
  assert.equal(slice.endpoints[0]!.targetRef?.serviceAccountName, 'web');
  assert.equal(slice.endpoints[0]!.zone, 'z1');
});

function expectManifestError(text: string, check: (e: ManifestError) => void): void {
  assert.throws(() => parseManifests(text, 'bad.yaml'), (e: unknown) => {
    assert.ok(e instanceof ManifestError, String(e));
    assert.equal(e.code, 'WEFT_ERR_INVALID_MANIFEST');
    assert.equal(e.file, 'bad.yaml');
    check(e);
    return true;
  });
}

test('bad_manifest_errors_name_file_document_resource_and_field', () => {
  expectManifestError(`
apiVersion: v1
kind: Service
metadata: {name: ok}
spec: {ports: [{port: 80}]}
---
apiVersion: weft.io/v1alpha1
kind: ServiceProfile
metadata: {name: web.default.svc.cluster.local, namespace: default}
spec:
  routes:
  - name: r
    condition: {method: GET}
    timeout: soon
`, (e) => {
    assert.equal(e.document, 1);
    assert.equal(e.resource, 'ServiceProfile default/web.default.svc.cluster.local');
    assert.equal(e.fieldPath, 'spec.routes[0].timeout');
    assert.match(e.message, /^bad\.yaml: document 1 \(ServiceProfile default\/web\.default\.svc\.cluster\.local\): spec\.routes\[0\]\.timeout: /);
  });
  expectManifestError('apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 70000}]}\n',
    (e) => assert.equal(e.fieldPath, 'spec.ports[0].port'));
  expectManifestError('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', (e) => assert.equal(e.fieldPath, 'kind'));
  expectManifestError('apiVersion: v1\nkind: Service\nmetadata: {name: Web_1}\nspec: {}\n', (e) => assert.equal(e.fieldPath, 'metadata.name'));
  expectManifestError(`apiVersion: weft.io/v1alpha1
kind: ServiceProfile
metadata: {name: a.b}
spec: {routes: [{name: r, condition: {pathRegex: "(unclosed"}}]}
`, (e) => assert.equal(e.fieldPath, 'spec.routes[0].condition.pathRegex'));
  expectManifestError(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
endpoints: []
`, (e) => assert.equal(e.fieldPath, 'metadata.labels'));
  expectManifestError('a: [unclosed\n', (e) => assert.match(e.problem, /invalid YAML/));
});

const classesProfile = (status: string): string => `apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata: {name: web.default.svc.cluster.local}
spec:
  routes:
  - name: r
    condition: {method: GET}
    responseClasses:
    - condition: {status: ${status}}
      isFailure: true
`;

test('a_one_sided_status_range_is_that_one_status_as_in_linkerd (issue 18)', () => {
  const statusOf = (status: string) => {
    const sp = parseManifests(classesProfile(status), 'sp.yaml')[0] as ServiceProfile;
    return sp.spec.routes[0]?.responseClasses[0]?.condition;
  };
  // Linkerd's template: "min: 404 # This matches 404s only".
  assert.deepEqual(statusOf('{min: 404}'), { kind: 'status', min: 404, max: 404 });
  assert.deepEqual(statusOf('{max: 299}'), { kind: 'status', min: 299, max: 299 });
  assert.deepEqual(statusOf('{min: 500, max: 599}'), { kind: 'status', min: 500, max: 599 });
  expectManifestError(classesProfile('{}'), (e) => {
    assert.equal(e.fieldPath, 'spec.routes[0].responseClasses[0].condition.status');
    assert.match(e.problem, /needs min, max or both/);
  });
  expectManifestError(classesProfile('{min: 500, max: 404}'), (e) => assert.match(e.problem, /min 500 is greater than max 404/));
});

test('an_endpoint_target_ref_may_name_its_proxy_inbound_port (issue 18)', () => {
  const slice = (ref: string) => parseManifests(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
endpoints: [{addresses: [10.1.0.1], targetRef: ${ref}}]
ports: [{port: 80}]
`, 's.yaml')[0] as EndpointSlice;
  assert.equal(slice('{kind: Pod, name: p, proxyInboundPort: 4243}').endpoints[0]?.targetRef?.proxyInboundPort, 4243);
  assert.equal(slice('{kind: Pod, name: p}').endpoints[0]?.targetRef?.proxyInboundPort, undefined);
  expectManifestError(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, labels: {kubernetes.io/service-name: web}}
endpoints: [{addresses: [10.1.0.1], targetRef: {kind: Pod, name: p, proxyInboundPort: 0}}]
`, (e) => assert.equal(e.fieldPath, 'endpoints[0].targetRef.proxyInboundPort'));
});
