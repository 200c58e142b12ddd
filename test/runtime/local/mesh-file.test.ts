import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeshFileError, loadMeshFile, parseMeshFile } from '../../../src/runtime/local/mesh-file.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

const DEPLOY = (name: string, extra = ''): string => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop }
spec:
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      serviceAccountName: ${name}-sa
      containers:
        - name: main
          command: [node, server.js]
          args: [--verbose]
          env:
            - { name: PORT, value: "8080" }
          ports:
            - { name: http, containerPort: 8080 }
${extra}`;

function err(text: string): MeshFileError {
  try {
    parseMeshFile(text, 'm.yaml', { workingDir: '/srv' });
  } catch (e) {
    assert.ok(e instanceof MeshFileError, String(e));
    return e;
  }
  assert.fail('expected a MeshFileError');
}

test('the demo mesh.yaml parses: four workloads, three services, injection from the Namespace', async () => {
  const m = await loadMeshFile(join(ROOT, 'examples/demo/mesh.yaml'), { workingDir: ROOT });
  assert.deepEqual(m.workloads.map((w) => w.name), ['catalog', 'voting', 'web', 'vote-bot']);
  assert.deepEqual(m.services.map((s) => s.service.metadata.name), ['web', 'catalog', 'voting']);
  const web = m.workloads.find((w) => w.name === 'web');
  assert.ok(web);
  assert.equal(web.namespace, 'demo');
  assert.equal(web.serviceAccount, 'web');
  assert.equal(web.inject, true);
  assert.equal(web.workingDir, ROOT);
  assert.match(web.env['CATALOG_ADDR'] ?? '', /^catalog\.demo:\d+$/);
  assert.equal(web.ports[0]?.name, 'http');
});

test('a Deployment becomes a workload: command + args, env, ports, annotations, proxy env', () => {
  const m = parseMeshFile(DEPLOY('api', `        - name: weft-proxy
          env: [{ name: WEFT_PROXY_LOG_LEVEL, value: debug }]
`).replace("metadata: { labels: { app: api } }", `metadata:
      labels: { app: api }
      annotations: { config.weft.io/skip-outbound-ports: "25,9000-9001", weft.io/inject: enabled }`), 'm.yaml', { workingDir: '/srv' });
  const [w] = m.workloads;
  assert.ok(w);
  assert.deepEqual(w.command, ['node', 'server.js', '--verbose']);
  assert.equal(w.workingDir, '/srv');
  assert.equal(w.serviceAccount, 'api-sa');
  assert.equal(w.user, 65534);
  assert.deepEqual(w.skipOutboundPorts, [{ from: 25, to: 25 }, { from: 9000, to: 9001 }]);
  assert.deepEqual(w.proxyEnv, { WEFT_PROXY_LOG_LEVEL: 'debug' });
});

test('errors name the file, the workload and the field', () => {
  let e = err(DEPLOY('api').replace('command: [node, server.js]', 'command: []').replace('args: [--verbose]', ''));
  assert.match(e.message, /^m\.yaml: Deployment shop\/api: spec\.template\.spec\.containers\[0\]\.command: must name a program/);
  e = err(DEPLOY('api').replace('containerPort: 8080', 'containerPort: 99999'));
  assert.equal(e.fieldPath, 'spec.template.spec.containers[0].ports[0].containerPort');
  assert.equal(e.subject, 'Deployment shop/api');
  e = err(DEPLOY('api').replace('spec:\n  template', 'spec:\n  replicas: 300\n  template'));
  assert.match(e.message, /spec\.replicas: /);
  e = err(`${DEPLOY('api').replace('spec:\n  template', 'spec:\n  replicas: 2\n  template')}---\n${DEPLOY('api-1')}`);
  assert.match(e.message, /Deployment shop\/api-1: metadata\.name: the same name as pod 1 of Deployment api/);
  e = err(DEPLOY('api').replace('{ name: PORT, value: "8080" }', '{ name: PORT, valueFrom: { fieldRef: { fieldPath: x } } }'));
  assert.match(e.message, /env\[0\]\.valueFrom: not supported/);
  e = err(`${DEPLOY('api')}---\n${DEPLOY('api')}`);
  assert.match(e.message, /duplicate workload name/);
  e = err('apiVersion: v1\nkind: Service\nmetadata: { name: x }\nspec: { ports: [{ port: 0 }] }\n');
  assert.equal(e.code, 'WEFT_ERR_INVALID_MESH_FILE');
  assert.match(e.message, /Service default\/x: spec\.ports\[0\]\.port/);
  e = err('kind: [\n');
  assert.match(e.message, /invalid YAML/);
  e = err('apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: x }\n');
  assert.match(e.message, /no workloads/);
  assert.equal(parseMeshFile('apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: x }\n', 'm.yaml', { allowNoWorkloads: true }).workloads.length, 0);
});

test('replicas: default 1, any number up to a network of pods', () => {
  assert.equal(parseMeshFile(DEPLOY('api'), 'm.yaml').workloads[0]?.replicas, 1);
  assert.equal(parseMeshFile(DEPLOY('api').replace('spec:\n  template', 'spec:\n  replicas: 3\n  template'), 'm.yaml').workloads[0]?.replicas, 3);
  assert.equal(parseMeshFile(DEPLOY('api').replace('spec:\n  template', 'spec:\n  replicas: 0\n  template'), 'm.yaml').workloads[0]?.replicas, 0);
});

test('a Namespace annotated weft.io/inject: disabled leaves its workloads without a proxy', () => {
  const m = parseMeshFile(`apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, annotations: { weft.io/inject: disabled } }\n---\n${DEPLOY('api')}`, 'm.yaml');
  assert.equal(m.workloads[0]?.inject, false);
});
