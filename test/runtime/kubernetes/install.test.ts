// `weft install`'s manifests against golden files (test/runtime/kubernetes/testdata), made with
// the fixed certificates of test/fixtures/k8s; and the rules the manifests must keep whatever
// the options: every object labelled for uninstall, least-privilege RBAC, HA shape, the
// webhooks never blocking. (That they apply to a real API server: test/e2e/k8s-install.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { CRD_SOURCES } from '../../../src/control/store/kubernetes/kubernetes-store.js';
import { renderInstall } from '../../../src/runtime/kubernetes/install.js';
import { renderCrds } from '../../../src/runtime/kubernetes/manifests/crds.js';
import { toYaml } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import type { K8sObject } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import { installValues } from '../../../src/runtime/kubernetes/values.js';
import { assertGolden } from '../../helpers/golden.js';
import { fixtureCerts } from '../../helpers/k8s-fixtures.js';

const GOLDEN = 'test/runtime/kubernetes/testdata';
type Json = Record<string, unknown>;

function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

test('default install matches the golden manifests', () => {
  assertGolden(`${GOLDEN}/install.golden.yaml`, toYaml(renderInstall(installValues(), fixtureCerts())));
});

test('--ha install matches the golden manifests', () => {
  assertGolden(`${GOLDEN}/install-ha.golden.yaml`, toYaml(renderInstall(installValues({ ha: true }), fixtureCerts())));
});

test('--crds prints the CRDs only (and --no-linkerd-crds leaves Linkerd\'s out)', () => {
  assertGolden(`${GOLDEN}/install-crds.golden.yaml`, toYaml(renderCrds(installValues())));
  assert.deepEqual(renderCrds(installValues({ linkerdCrds: false })).map((o) => o.metadata.name), ['serviceprofiles.weft.io', 'servers.policy.weft.io', 'authorizationpolicies.policy.weft.io', 'meshtlsauthentications.policy.weft.io', 'networkauthentications.policy.weft.io', 'httplocalratelimitpolicies.policy.weft.io', 'httproutes.policy.weft.io', 'egressnetworks.policy.weft.io', 'jwtauthentications.policy.weft.io']);
});

test('the YAML is one valid document per object, and every object carries the install label', () => {
  const objects = renderInstall(installValues(), fixtureCerts());
  const docs = parseAllDocuments(toYaml(objects));
  assert.equal(docs.length, objects.length);
  for (const d of docs) {
    assert.equal(d.errors.length, 0);
    const o = d.toJS() as K8sObject;
    assert.ok(o.apiVersion && o.kind && o.metadata.name, JSON.stringify(o).slice(0, 100));
    assert.equal(o.metadata.labels?.['app.kubernetes.io/part-of'], 'weft', `${o.kind} ${o.metadata.name} has the uninstall label`);
  }
  // Namespace first, CRDs before anything could use them, webhooks after the injector exists.
  const kinds = objects.map((o) => o.kind);
  assert.equal(kinds[0], 'Namespace');
  assert.ok(kinds.lastIndexOf('CustomResourceDefinition') < kinds.indexOf('Deployment'));
  assert.ok(kinds.indexOf('MutatingWebhookConfiguration') > kinds.lastIndexOf('Deployment'));
});

test('RBAC is least privilege: read-only watches for destination, no wildcard, secrets only by name', () => {
  const objects = renderInstall(installValues(), fixtureCerts());
  for (const role of [...byKind(objects, 'ClusterRole'), ...byKind(objects, 'Role')]) {
    for (const rule of (role as Json)['rules'] as { resources: string[]; verbs: string[]; resourceNames?: string[] }[]) {
      assert.ok(!rule.verbs.includes('*') && !rule.resources.includes('*'), `${role.metadata.name}: no wildcards`);
      if (rule.resources.includes('secrets')) assert.ok(rule.resourceNames?.length, `${role.metadata.name}: secrets only by name`);
    }
  }
  const dst = byKind(objects, 'ClusterRole').find((r) => r.metadata.name === 'weft-destination') as Json;
  const verbs = new Set((dst['rules'] as { verbs: string[] }[]).flatMap((r) => r.verbs));
  assert.deepEqual([...verbs].sort(), ['list', 'watch']);
});

test("destination's RBAC is exactly what the Kubernetes store lists and watches: no group/resource more, none missing", () => {
  const dst = byKind(renderInstall(installValues(), fixtureCerts()), 'ClusterRole').find((r) => r.metadata.name === 'weft-destination') as Json;
  const granted = new Set((dst['rules'] as { apiGroups: string[]; resources: string[] }[])
    .flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${res}.${g}`))));
  const watched = new Set(['services.', 'pods.', 'endpointslices.discovery.k8s.io',
    ...Object.values(CRD_SOURCES).flatMap((sources) => sources.map((c) => `${c.plural}.${c.group}`))]);
  assert.deepEqual([...granted].sort(), [...watched].sort());
});

test('the tap component: its own service account and token, the injector config, list-only RBAC; proxies serve tap to it', () => {
  const objects = renderInstall(installValues(), fixtureCerts());
  const tap = byKind(objects, 'Deployment').find((d) => d.metadata.name === 'weft-tap') as Json;
  const pod = ((tap['spec'] as Json)['template'] as Json)['spec'] as Json;
  assert.equal(pod['serviceAccountName'], 'weft-tap');
  const c = (pod['containers'] as Json[])[0] as Json;
  assert.deepEqual((c['args'] as string[]).slice(0, 3), ['tap', '--store', 'kubernetes']);
  assert.ok((c['args'] as string[]).includes('/var/run/secrets/tokens/weft-identity-token'));
  const token = (pod['volumes'] as Json[]).find((v) => v['projected']) as Json;
  assert.match(JSON.stringify(token), /"audience":"identity.weft.io"/);
  const svc = byKind(objects, 'Service').find((x) => x.metadata.name === 'weft-tap') as Json;
  assert.deepEqual((svc['spec'] as Json)['ports'], [{ name: 'http', port: 8088, targetPort: 'http', protocol: 'TCP' }]);
  const role = byKind(objects, 'ClusterRole').find((r) => r.metadata.name === 'weft-tap') as Json;
  assert.deepEqual(role['rules'], [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['list'] }]);
  assert.ok(byKind(objects, 'ServiceAccount').some((x) => x.metadata.name === 'weft-tap'));
  const cm = byKind(objects, 'ConfigMap').find((x) => x.metadata.name === 'weft-config') as Json;
  assert.match(String((cm['data'] as Json)['config.yaml']), /tapIdentity: spiffe:\/\/cluster\.local\/ns\/weft\/sa\/weft-tap/);
});

test('--ha: 3 replicas, anti-affinity and a PodDisruptionBudget per component', () => {
  const objects = renderInstall(installValues({ ha: true }), fixtureCerts());
  const deployments = byKind(objects, 'Deployment') as Json[];
  assert.equal(deployments.length, 4);
  for (const d of deployments) {
    const spec = d['spec'] as Json;
    assert.equal(spec['replicas'], 3);
    assert.ok(((spec['template'] as Json)['spec'] as Json)['affinity']);
  }
  assert.equal(byKind(objects, 'PodDisruptionBudget').length, 4);
  assert.equal(byKind(renderInstall(installValues(), fixtureCerts()), 'PodDisruptionBudget').length, 0);
});

test('the webhooks never block: failurePolicy Ignore, and they skip the control plane and kube-system', () => {
  const objects = renderInstall(installValues(), fixtureCerts());
  const hooks = [...byKind(objects, 'MutatingWebhookConfiguration'), ...byKind(objects, 'ValidatingWebhookConfiguration')];
  assert.equal(hooks.length, 2);
  for (const h of hooks) {
    for (const w of (h as Json)['webhooks'] as Json[]) {
      assert.equal(w['failurePolicy'], 'Ignore');
      assert.match(JSON.stringify(w['namespaceSelector']), /kube-system/);
      assert.equal(w['sideEffects'], 'None');
    }
  }
  const ns = objects[0] as K8sObject;
  assert.equal(ns.metadata.labels?.['config.weft.io/admission-webhooks'], 'disabled');
});

test('install values are validated with the field named', () => {
  assert.throws(() => installValues({ image: 'repo/weft:tag' }), /image: "repo\/weft:tag" must be a repository without tag/);
  assert.throws(() => installValues({ trustDomain: 'Not_A_Domain' }), /trust domain/);
  assert.throws(() => installValues({ proxyResources: { cpuRequest: 'lots', cpuLimit: undefined, memoryRequest: undefined, memoryLimit: undefined } }), /proxy cpu request: "lots"/);
  assert.throws(() => installValues({ heartbeatSchedule: 'daily' }), /heartbeat schedule/);
});
