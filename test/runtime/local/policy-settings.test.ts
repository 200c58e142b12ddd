// The default inbound policy annotation and policy resources in the local runtime and the
// injector: the proxy gets WEFT_PROXY_INBOUND_DEFAULT_POLICY, the store gets the Pod (labels and
// named ports for Servers, the annotation for the controller), a bad value is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeshFileError, parseMeshFile } from '../../../src/runtime/local/mesh-file.js';
import { proxyEnv } from '../../../src/runtime/local/proxy-env.js';
import { storeResources } from '../../../src/runtime/local/store-sync.js';
import { parseInjectorConfig } from '../../../src/control/injector/config.js';
import { inject } from '../../../src/control/injector/inject.js';
import { InjectAnnotationError } from '../../../src/control/injector/errors.js';
import type { Pod } from '../../../src/control/store/policy-types.js';
import { fixtureInjectorConfigYaml } from '../../helpers/k8s-fixtures.js';

const MESH = (policy: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api }, annotations: { config.linkerd.io/default-inbound-policy: ${policy} } }
    spec:
      serviceAccountName: api
      containers: [{ name: main, command: [node, s.js], ports: [{ name: http, containerPort: 8080 }] }]
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: api-http, namespace: shop }
spec: { podSelector: { matchLabels: { app: api } }, port: http }
`;

test('local runtime: the annotation and the app ports reach the proxy env, the store Pod; policy kinds load from mesh files', () => {
  const m = parseMeshFile(MESH('all-authenticated'), 'm.yaml', { workingDir: '/srv' });
  const w = m.workloads[0];
  assert.ok(w);
  assert.equal(w.defaultInboundPolicy, 'all-authenticated');
  const env = proxyEnv({ workload: w, podName: 'api', mode: 'netns', identityAddr: 'i:1', destinationAddr: 'd:2', localName: 'spiffe://cluster.local/ns/shop/sa/api', trustAnchorsFile: '/t', tokenFile: '/k' });
  assert.equal(env['WEFT_PROXY_INBOUND_DEFAULT_POLICY'], 'all-authenticated');
  assert.equal(env['WEFT_PROXY_DESTINATION_CONTEXT'], '{"ns":"shop","pod":"api"}');
  assert.equal(env['WEFT_PROXY_INBOUND_PORTS'], '8080', "the app's ports: their policies are fetched at start");
  assert.deepEqual(m.resources.map((r) => r.kind), ['Server']);
  const rs = storeResources(m, [], [{ name: 'api', workload: w, replica: 0 }], () => ({ ip: '127.0.0.1', port: 8080 }));
  const pod = rs.find((r) => r.kind === 'Pod') as Pod | undefined;
  assert.ok(pod);
  assert.deepEqual(pod.metadata.labels, { app: 'api' });
  assert.equal(pod.metadata.annotations['config.weft.io/default-inbound-policy'], 'all-authenticated');
  assert.deepEqual(pod.spec.ports, [{ name: 'http', containerPort: 8080 }]);
});

test('local runtime: an unknown default policy is refused naming the annotation', () => {
  assert.throws(() => parseMeshFile(MESH('open-sesame'), 'm.yaml', { workingDir: '/srv' }),
    (e: unknown) => e instanceof MeshFileError && /default-inbound-policy.*open-sesame/.test(e.message));
});

test('injector: the annotation (weft or Linkerd name, pod or namespace) sets the proxy default; a bad one is refused', () => {
  const config = parseInjectorConfig(fixtureInjectorConfigYaml(), 'fixture');
  const ctx = { createdBy: 'weft/test', controlPlaneNamespace: 'weft' };
  const pod = (a: Record<string, string>) => ({ metadata: { name: 'web', annotations: { 'weft.io/inject': 'enabled', ...a } }, spec: { containers: [{ name: 'app', image: 'x/app:1' }] } });
  const envOf = (a: Record<string, string>, ns: Record<string, string> = {}) => {
    const r = inject(pod(a), config, { ...ctx, namespaceAnnotations: ns });
    assert.ok(r.injected);
    const all = [...((r.pod.spec?.['initContainers'] as { env?: { name: string; value?: string }[] }[] | undefined) ?? []), ...((r.pod.spec?.['containers'] as { env?: { name: string; value?: string }[] }[]) ?? [])];
    return all.flatMap((c) => c.env ?? []).find((e) => e.name === 'WEFT_PROXY_INBOUND_DEFAULT_POLICY')?.value;
  };
  assert.equal(envOf({}), undefined);
  assert.equal(envOf({ 'config.weft.io/default-inbound-policy': 'deny' }), 'deny');
  assert.equal(envOf({}, { 'config.linkerd.io/default-inbound-policy': 'cluster-authenticated' }), 'cluster-authenticated');
  assert.throws(() => inject(pod({ 'config.weft.io/default-inbound-policy': 'nobody' }), config, ctx), (e: unknown) => e instanceof InjectAnnotationError && /default-inbound-policy: "nobody"/.test(e.message));
});
