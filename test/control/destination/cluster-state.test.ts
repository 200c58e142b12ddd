import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { ClusterState } from '../../../src/control/destination/cluster-state.js';

const sliceYaml = (ns: string, svc: string) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s1, namespace: ${ns}, labels: {kubernetes.io/service-name: ${svc}}}
endpoints: [{addresses: [10.0.0.1]}]
`;

test('slices_are_filed_by_namespace_and_follow_relabelling', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cs-'));
  const store = await LocalStore.open(dir, { follow: false });
  const state = new ClusterState(store);
  t.after(async () => {
    state.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  await state.ready;
  const changes: string[][] = [];
  state.onChange((keys) => changes.push([...keys].sort()));
  await store.apply(parseManifests(sliceYaml('a', 'web') + '---\n' + sliceYaml('b', 'web'), 't'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(changes, [['a/web', 'b/web']]);
  assert.equal(state.slices.get('a/web')?.size, 1);
  assert.equal(state.slices.get('b/web')?.size, 1);
  await store.apply(parseManifests(sliceYaml('a', 'api'), 't'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(changes[1], ['a/api', 'a/web']);
  assert.equal(state.slices.get('a/web')?.size ?? 0, 0);
  assert.equal(state.slices.get('a/api')?.size, 1);
  assert.equal(state.slices.get('b/web')?.size, 1);
});
