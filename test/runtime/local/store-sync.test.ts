// What `up` writes to the store is what the destination service needs: a Service's name and
// its cluster IP both resolve to the workloads' pod IPs, with their identities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DestinationService } from '../../../src/control/destination/server.js';
import { LocalStore } from '../../../src/control/store/local-store.js';
import type { Update } from '../../../src/api/gen/io/linkerd/proxy/destination/Update.js';
import { parseMeshFile } from '../../../src/runtime/local/mesh-file.js';
import type { EndpointAddress } from '../../../src/runtime/local/plan.js';
import { clusterIpOf, networkNames, planPods } from '../../../src/runtime/local/plan.js';
import { StoreSync, removeFromStore, storeResources } from '../../../src/runtime/local/store-sync.js';

const MESH = `apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api } }
    spec:
      serviceAccountName: api-sa
      containers: [{ name: main, command: [srv], ports: [{ name: http, containerPort: 8080 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec:
  selector: { app: api }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

function addrs(u: Update | undefined): string[] {
  return (u?.add?.addrs ?? []).map((a) => {
    const ip = a.addr?.ip?.ipv4 as number;
    return `${[ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.')}:${a.addr?.port} ${a.tlsIdentity?.uriLikeIdentity?.uri ?? a.tlsIdentity?.dnsLikeIdentity?.name ?? ''}`;
  });
}

test('applied resources resolve by name and by cluster IP to the pod with its identity; down removes them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-store-sync-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const mesh = parseMeshFile(MESH, 'm.yaml');
  const net = networkNames(9);
  const pods = planPods(mesh, net);
  const address: EndpointAddress = (pod, port) => ({ ip: pods.find((p) => p.name === pod.name)?.ip as string, port });
  const services = mesh.services.map((spec, j) => ({ spec, clusterIP: clusterIpOf(net, j) }));
  const first = await StoreSync.open(dir);
  await first.sync(storeResources(mesh, services, pods, address));
  await first.close();
  // A second run replaces the managed slices rather than adding to them; an unchanged sync writes nothing.
  const sync = await StoreSync.open(dir);
  await sync.sync(storeResources(mesh, services, pods, address));
  const version = (await readFile(join(dir, 'version'), 'utf8')).trim();
  await sync.sync(storeResources(mesh, services, pods, address));
  assert.equal((await readFile(join(dir, 'version'), 'utf8')).trim(), version);
  const keys = sync.keys();
  await sync.close();

  const store = await LocalStore.open(dir, { follow: false });
  t.after(() => store.close());
  assert.equal((await store.get('Service', 'shop', 'api'))?.spec.clusterIP, '10.77.137.1');
  assert.equal((await store.list('EndpointSlice')).items.length, 1);
  const dst = new DestinationService(store);
  t.after(() => dst.close());
  await dst.state.ready;
  for (const target of [
    { kind: 'service', namespace: 'shop', name: 'api', port: 80 } as const,
    { kind: 'ip', ip: '10.77.137.1', port: 80 } as const,
  ]) {
    let got: Update | undefined;
    const stop = dst.watchEndpoints(target, (u) => (got = u));
    stop();
    const [one] = addrs(got);
    assert.match(one ?? '', /^10\.77\.9\.2:8080 /, JSON.stringify(target));
    assert.match(one ?? '', /api-sa/);
  }
  await removeFromStore(dir, keys);
  const after = await LocalStore.open(dir, { follow: false });
  t.after(() => after.close());
  assert.equal((await after.list('Service')).items.length, 0);
  assert.equal((await after.list('EndpointSlice')).items.length, 0);
});

test('a pod that is not ready is left out of the endpoints; a sync with it ready puts it back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-store-sync-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const mesh = parseMeshFile(MESH.replace('spec:\n  template', 'spec:\n  replicas: 2\n  template'), 'm.yaml');
  const net = networkNames(9);
  const pods = planPods(mesh, net);
  const address: EndpointAddress = (pod, port) => ({ ip: pods.find((p) => p.name === pod.name)?.ip as string, port });
  const services = mesh.services.map((spec, j) => ({ spec, clusterIP: clusterIpOf(net, j) }));
  const sync = await StoreSync.open(dir);
  t.after(() => sync.close());
  const store = await LocalStore.open(dir, { pollMs: 50 });
  t.after(() => store.close());
  const dst = new DestinationService(store);
  t.after(() => dst.close());
  let got: Update | undefined;
  const target = { kind: 'service', namespace: 'shop', name: 'api', port: 80 } as const;
  const seen = async (want: string[]): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      const stop = dst.watchEndpoints(target, (u) => (got = u));
      stop();
      if (JSON.stringify(addrs(got).map((a) => a.split(' ')[0]).sort()) === JSON.stringify(want)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`endpoints ${JSON.stringify(addrs(got))}, want ${JSON.stringify(want)}`);
  };
  await sync.sync(storeResources(mesh, services, pods, address, (p) => p !== 'api-1'));
  await seen(['10.77.9.2:8080']);
  await sync.sync(storeResources(mesh, services, pods, address, () => true));
  await seen(['10.77.9.2:8080', '10.77.9.3:8080']);
});
