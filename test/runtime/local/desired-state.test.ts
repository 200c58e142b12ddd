import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyToMesh, deleteFromMesh, diffPods } from '../../../src/runtime/local/desired-state.js';
import { parseMeshFile } from '../../../src/runtime/local/mesh-file.js';
import { podsOf } from '../../../src/runtime/local/plan.js';

const deploy = (name: string, replicas = 1, cmd = 'srv'): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop }
spec:
  replicas: ${replicas}
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: main, command: [${cmd}], ports: [{ name: http, containerPort: 8080 }] }]
`;
const svc = (name: string, port = 80): string => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: ${port}, targetPort: http }]
`;
const mesh = (...docs: string[]) => parseMeshFile(docs.join('---\n'), 'm.yaml', { allowNoWorkloads: true });

test('apply creates, configures or leaves unchanged what the file names, and keeps the rest', () => {
  const cur = mesh(deploy('api'), deploy('web'), svc('api'));
  const c = applyToMesh(cur, mesh(deploy('api', 1, 'srv2'), deploy('web'), deploy('db'), svc('api', 81), svc('db')));
  assert.deepEqual(c.lines, [
    'deployment.apps/api -n shop configured', 'deployment.apps/web -n shop unchanged', 'deployment.apps/db -n shop created',
    'service/api -n shop configured', 'service/db -n shop created',
  ]);
  assert.deepEqual(c.mesh.workloads.map((w) => w.name), ['api', 'web', 'db']);
  assert.deepEqual(c.mesh.resources.map((r) => `${r.kind}/${r.metadata.name}`), ['Service/api', 'Service/db']);
});

test('apply --prune drops what the file does not name; delete drops what it names', () => {
  const cur = mesh(deploy('api'), deploy('web'), svc('api'), svc('web'));
  const p = applyToMesh(cur, mesh(deploy('api'), svc('api')), { prune: true });
  assert.deepEqual(p.lines, ['deployment.apps/api -n shop unchanged', 'service/api -n shop unchanged', 'deployment.apps/web -n shop pruned', 'service/web -n shop pruned']);
  const d = deleteFromMesh(cur, mesh(deploy('web'), deploy('gone'), svc('web')));
  assert.deepEqual(d.lines, ['deployment.apps/web -n shop deleted', 'deployment.apps/gone -n shop not found', 'service/web -n shop deleted']);
  assert.deepEqual(d.mesh.workloads.map((w) => w.name), ['api']);
  assert.deepEqual(d.mesh.services.map((s) => s.service.metadata.name), ['api']);
});

test('pods: scaling keeps the replicas that stay, a changed spec replaces every pod, 1 -> 3 renames', () => {
  const three = mesh(deploy('api', 3));
  const running = podsOf(three.workloads).map((p) => ({ name: p.name, workload: p.workload }));
  assert.deepEqual(diffPods(running, podsOf(mesh(deploy('api', 2)).workloads)), { stop: ['api-2'], start: [] });
  const up = diffPods(running, podsOf(mesh(deploy('api', 4)).workloads));
  assert.deepEqual([up.stop, up.start.map((p) => p.name)], [[], ['api-3']]);
  const changed = diffPods(running, podsOf(mesh(deploy('api', 3, 'srv2')).workloads));
  assert.deepEqual([changed.stop, changed.start.map((p) => p.name)], [['api-0', 'api-1', 'api-2'], ['api-0', 'api-1', 'api-2']]);
  const one = podsOf(mesh(deploy('api', 1)).workloads).map((p) => ({ name: p.name, workload: p.workload }));
  const grow = diffPods(one, podsOf(three.workloads));
  assert.deepEqual([grow.stop, grow.start.map((p) => p.name)], [['api'], ['api-0', 'api-1', 'api-2']]);
});

test('a change that would give two Deployments the same pod names is refused', () => {
  assert.throws(() => applyToMesh(mesh(deploy('api', 2)), mesh(deploy('api-1'))), { code: 'WEFT_ERR_INVALID_MESH_FILE', message: /the same name as pod 1 of Deployment api/ });
});
