// `weft viz install`'s manifests against golden files, and the rules they keep whatever the
// options: every object labelled for `weft viz uninstall`, least-privilege RBAC, Prometheus'
// scrape config the same as the one the tests run a host Prometheus with (only the API server
// access differs), its recording rules those of the metrics API. (That the config works against
// a real API server and Prometheus: test/integration/k8s-viz.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAllDocuments } from 'yaml';
import { renderRules } from '../../../src/control/metrics/recording-rules.js';
import { toYaml } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import type { K8sObject } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import { renderVizInstall } from '../../../src/runtime/kubernetes/viz/install.js';
import { renderClusterPrometheusConfig } from '../../../src/runtime/kubernetes/viz/prometheus-config.js';
import { vizValues } from '../../../src/runtime/kubernetes/viz/values.js';
import { assertGolden } from '../../helpers/golden.js';

const GOLDEN = 'test/runtime/kubernetes/testdata';
type Json = Record<string, unknown>;

const find = (objects: K8sObject[], kind: string, name: string): Json => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name}`);
  return o as Json;
};
const container = (d: Json): Json => ((((d['spec'] as Json)['template'] as Json)['spec'] as Json)['containers'] as Json[])[0] as Json;

test('default viz install matches the golden manifests', () => {
  assertGolden(`${GOLDEN}/viz-install.golden.yaml`, toYaml(renderVizInstall(vizValues())));
});

test('options: images, scrape interval, retention, domains, no dashboard', () => {
  const objects = renderVizInstall(vizValues({
    image: 'registry.example/weft', version: '9.9.9', prometheusImage: 'registry.example/prometheus@sha256:' + 'a'.repeat(64),
    scrapeIntervalSeconds: 5, retention: '2d', prometheusMemoryLimit: '1Gi', trustDomain: 'mesh.example', clusterDomain: 'k8s.example', dashboard: false,
  }));
  const prom = container(find(objects, 'Deployment', 'weft-prometheus'));
  assert.equal(prom['image'], 'registry.example/prometheus@sha256:' + 'a'.repeat(64));
  assert.ok((prom['args'] as string[]).includes('--storage.tsdb.retention.time=2d'));
  assert.deepEqual((prom['resources'] as Json)['limits'], { memory: '1Gi' });
  const api = container(find(objects, 'Deployment', 'weft-metrics-api'));
  assert.equal(api['image'], 'registry.example/weft:9.9.9');
  assert.deepEqual(api['args'], [
    'metrics-api', '--store', 'kubernetes', '--prometheus-url', 'http://weft-prometheus.weft-viz.svc.k8s.example:9090', '--scrape-interval', '5s',
    '--trust-domain', 'mesh.example', '--cluster-domain', 'k8s.example', '--listen', '0.0.0.0:8085',
  ]);
  assert.deepEqual(((find(objects, 'Service', 'weft-metrics-api')['spec'] as Json)['ports'] as Json[]).map((p) => p['name']), ['http']);
  const cm = find(objects, 'ConfigMap', 'weft-prometheus-config')['data'] as Record<string, string>;
  assert.equal((parse(cm['prometheus.yml'] ?? '') as { global: Json }).global['scrape_interval'], '5s');
  assert.equal(cm['rules.yml'], renderRules(5));
});

test('every object is one valid document with the viz part-of label, namespace first', () => {
  const objects = renderVizInstall(vizValues());
  const docs = parseAllDocuments(toYaml(objects));
  assert.equal(docs.length, objects.length);
  for (const d of docs) {
    assert.equal(d.errors.length, 0);
    const o = d.toJS() as K8sObject;
    assert.equal(o.metadata.labels?.['app.kubernetes.io/part-of'], 'weft-viz', `${o.kind} ${o.metadata.name}`);
    if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) assert.equal(o.metadata.namespace, 'weft-viz', `${o.kind} ${o.metadata.name}`);
  }
  assert.equal(objects[0]?.kind, 'Namespace');
  assert.equal(objects[0]?.metadata.labels?.['config.weft.io/admission-webhooks'], 'disabled');
});

test('RBAC is least privilege: read-only, no wildcards, exactly what each component calls', () => {
  const objects = renderVizInstall(vizValues());
  const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
  assert.deepEqual(roles.map((r) => r.metadata.name), ['weft-viz-prometheus', 'weft-viz-metrics-api']);
  assert.deepEqual(find(objects, 'ClusterRole', 'weft-viz-prometheus')['rules'], [
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list', 'watch'] },
  ]);
  assert.deepEqual(find(objects, 'ClusterRole', 'weft-viz-metrics-api')['rules'], [
    { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list'] },
    { apiGroups: ['weft.io', 'linkerd.io'], resources: ['serviceprofiles'], verbs: ['list'] },
  ]);
  for (const name of ['weft-viz-prometheus', 'weft-viz-metrics-api']) {
    const b = find(objects, 'ClusterRoleBinding', name);
    assert.deepEqual(b['subjects'], [{ kind: 'ServiceAccount', name: name.replace('weft-viz-', 'weft-'), namespace: 'weft-viz' }]);
  }
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    const c = container(d as Json);
    assert.deepEqual(c['securityContext'], { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  }
});

test("the ConfigMap's scrape config is the host one minus the API server access: same relabelling", () => {
  const cm = find(renderVizInstall(vizValues()), 'ConfigMap', 'weft-prometheus-config')['data'] as Record<string, string>;
  const inCluster = parse(cm['prometheus.yml'] ?? '') as Json;
  const host = parse(renderClusterPrometheusConfig({
    scrapeIntervalSeconds: 10, rulesFile: '/etc/prometheus/rules.yml', selfAddr: 'localhost:9090',
    apiServer: { url: 'https://127.0.0.1:6443', caFile: '/tmp/ca.crt', tokenFile: '/tmp/token' },
  })) as Json;
  const sd = ((host['scrape_configs'] as Json[])[0] as Json)['kubernetes_sd_configs'] as Json[];
  assert.deepEqual(sd[0], {
    role: 'pod', api_server: 'https://127.0.0.1:6443', tls_config: { ca_file: '/tmp/ca.crt' }, authorization: { credentials_file: '/tmp/token' }, attach_metadata: { deployment: true },
  });
  for (const job of host['scrape_configs'] as Json[]) {
    for (const d of (job['kubernetes_sd_configs'] ?? []) as Json[]) {
      assert.equal(d['api_server'], 'https://127.0.0.1:6443', `${String(job['job_name'])} reaches the given API server`);
      for (const k of ['api_server', 'tls_config', 'authorization']) delete d[k];
    }
  }
  assert.deepEqual(host, inCluster);
  assert.deepEqual((inCluster['scrape_configs'] as Json[]).map((j) => j['job_name']), ['weft-proxy', 'weft-control', 'prometheus']);
  const job = (inCluster['scrape_configs'] as Json[])[0] as Json;
  assert.equal(job['job_name'], 'weft-proxy');
  assert.deepEqual((job['relabel_configs'] as Json[])[0], {
    source_labels: ['__meta_kubernetes_pod_container_name', '__meta_kubernetes_pod_container_port_name', '__meta_kubernetes_pod_label_weft_io_control_plane_ns', '__meta_kubernetes_pod_phase'],
    action: 'keep', regex: 'weft-proxy;weft-admin;weft;Running',
  });
});

test('bad values are refused with what is wrong', () => {
  assert.throws(() => vizValues({ prometheusImage: 'prom/prometheus' }), /prometheus image: "prom\/prometheus" must name a tag or digest/);
  assert.throws(() => vizValues({ image: 'weft:1' }), /image: "weft:1" must be a repository without tag/);
  assert.throws(() => vizValues({ scrapeIntervalSeconds: 0 }), /scrape interval: 0 s/);
  assert.throws(() => vizValues({ retention: '6 hours' }), /prometheus retention: "6 hours"/);
  assert.throws(() => vizValues({ prometheusMemoryLimit: 'lots' }), /prometheus memory limit: "lots" is not a Kubernetes quantity/);
  assert.throws(() => vizValues({ clusterDomain: 'Not_A_Domain' }), /cluster domain/);
  assert.throws(() => vizValues({ trustDomain: 'bad domain' }), /trust domain/);
});
