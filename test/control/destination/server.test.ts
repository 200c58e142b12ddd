import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer } from '../../../src/control/destination/server.js';
import type { Update__Output } from '../../../src/api/gen/io/linkerd/proxy/destination/Update.js';
import type { DestinationProfile__Output } from '../../../src/api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import { StreamReader, destinationClient, ipv4 } from './grpc-helpers.js';
import { PROFILE, WEB, slice } from './fixtures.js';

async function setup(t: { after(fn: () => Promise<void> | void): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-dst-'));
  const store = await LocalStore.open(dir, { follow: false });
  await store.apply(parseManifests(WEB, 'web.yaml'));
  const server = await startDestinationServer(store, '127.0.0.1:0');
  const client = destinationClient(server.port);
  t.after(async () => {
    client.close();
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const get = (path: string, contextToken = ''): StreamReader<Update__Output> => {
    const call = client.Get({ path, contextToken });
    t.after(() => call.cancel());
    return new StreamReader(call);
  };
  const profile = (path: string): StreamReader<DestinationProfile__Output> => {
    const call = client.GetProfile({ path });
    t.after(() => call.cancel());
    return new StreamReader(call);
  };
  const apply = (yaml: string) => store.apply(parseManifests(yaml, 't.yaml'));
  return { store, get, profile, apply, server };
}

const addrs = (u: Update__Output): string[] =>
  (u.add?.addrs ?? u.remove?.addrs ?? []).map((a) => `${ipv4((a as { addr?: { ip?: { ipv4?: number } }; ip?: { ipv4?: number } }).addr?.ip?.ipv4 ?? (a as { ip?: { ipv4?: number } }).ip?.ipv4)}:${(a as { addr?: { port: number }; port?: number }).addr?.port ?? (a as { port?: number }).port}`).sort();

test('get_sends_add_first_then_add_and_remove_as_endpoints_change', async (t) => {
  const { get, apply, store } = await setup(t);
  const s = get('web.shop.svc.cluster.local:80');
  const first = await s.next();
  assert.equal(first.update, 'add');
  assert.deepEqual(addrs(first), ['10.1.0.1:8080', '10.1.0.2:8080']);
  const w = first.add!.addrs.find((a) => ipv4(a.addr?.ip?.ipv4) === '10.1.0.1')!;
  assert.equal(w.tlsIdentity?.uriLikeIdentity?.uri, 'spiffe://cluster.local/ns/shop/sa/web');
  assert.equal(w.protocolHint?.protocol, 'h2');
  assert.equal(w.weight, 10000);
  assert.deepEqual(w.metricLabels, { pod: 'web-1', serviceaccount: 'web', zone: 'z1' });
  assert.deepEqual(first.add!.metricLabels, { namespace: 'shop', service: 'web' });

  await apply(slice('web-b', ['10.1.0.3']));
  const added = await s.next();
  assert.equal(added.update, 'add');
  assert.deepEqual(addrs(added), ['10.1.0.3:8080']);

  await store.delete([{ kind: 'EndpointSlice', namespace: 'shop', name: 'web-a' }]);
  const removed = await s.next();
  assert.equal(removed.update, 'remove');
  assert.deepEqual(addrs(removed), ['10.1.0.1:8080', '10.1.0.2:8080']);

  await store.delete([{ kind: 'Service', namespace: 'shop', name: 'web' }]);
  assert.deepEqual((await s.next()).noEndpoints, { exists: false });
});

test('get_short_names_context_token_and_pod_ip', async (t) => {
  const { get } = await setup(t);
  assert.equal((await get('web.shop:80').next()).update, 'add');
  assert.equal((await get('web:80', '{"ns":"shop"}').next()).update, 'add');
  assert.equal((await get('web.shop.svc:80').next()).update, 'add');
  // The service's DB port maps by name to 3306 and is opaque per the profile (none yet: h2).
  const db = await get('web.shop.svc.cluster.local:3306').next();
  assert.deepEqual(addrs(db), ['10.1.0.1:3306', '10.1.0.2:3306']);
  const pod = await get('10.1.0.2:8080').next();
  assert.deepEqual(addrs(pod), ['10.1.0.2:8080']);
  assert.equal(pod.add!.addrs[0]!.tlsIdentity?.uriLikeIdentity?.uri, 'spiffe://cluster.local/ns/shop/sa/web');
  const cluster = await get('10.96.0.20:80').next();
  assert.deepEqual(addrs(cluster), ['10.1.0.1:8080', '10.1.0.2:8080']);
});

test('get_unknown_name_answers_no_endpoints_exists_false_and_follows_creation', async (t) => {
  const { get, apply } = await setup(t);
  const s = get('nope.shop.svc.cluster.local:80');
  assert.deepEqual((await s.next()).noEndpoints, { exists: false });
  assert.deepEqual((await get('10.9.9.9:80').next()).noEndpoints, { exists: false });
  assert.deepEqual((await get('web.shop:81').next()).noEndpoints, { exists: false });
  await apply('apiVersion: v1\nkind: Service\nmetadata: {name: nope, namespace: shop}\nspec: {ports: [{port: 80}]}\n');
  assert.deepEqual((await s.next()).noEndpoints, { exists: true });
});

test('get_invalid_authority_is_invalid_argument', async (t) => {
  const { get } = await setup(t);
  await assert.rejects(get('not a name!').next(), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
});

test('get_profile_sends_routes_and_updates_and_not_found_for_unknown', async (t) => {
  const { profile, apply } = await setup(t);
  const s = profile('web.shop.svc.cluster.local:80');
  const p0 = await s.next();
  assert.equal(p0.fullyQualifiedName, 'web.shop.svc.cluster.local');
  assert.equal(p0.routes.length, 0);
  assert.equal(p0.retryBudget?.minRetriesPerSecond, 10);
  await apply(PROFILE('300ms'));
  const p1 = await s.next();
  assert.equal(p1.routes.length, 1);
  const r = p1.routes[0]!;
  assert.equal(r.isRetryable, true);
  assert.deepEqual(r.timeout, { seconds: 0, nanos: 300_000_000 });
  assert.equal(r.condition?.match, 'all');
  assert.deepEqual(r.condition?.all?.matches.map((m) => m.match), ['method', 'path']);
  assert.equal(r.condition?.all?.matches[0]?.method?.registered, 'GET');
  assert.deepEqual(r.responseClasses[0]?.condition?.status, { min: 500, max: 599 });
  assert.deepEqual(p1.dstOverrides.map((d) => [d.authority, d.weight]), [
    ['web-v2.shop.svc.cluster.local:80', 250], ['web.shop.svc.cluster.local:80', 750]]);
  assert.equal(p1.opaqueProtocol, false);
  await apply(PROFILE('2s'));
  assert.deepEqual((await s.next()).routes[0]?.timeout, { seconds: 2, nanos: 0 });

  assert.equal((await profile('web.shop:3306').next()).opaqueProtocol, true);
  const pod = await profile('10.1.0.1:8080').next();
  assert.equal(pod.fullyQualifiedName, '');
  assert.equal(pod.endpoint?.tlsIdentity?.uriLikeIdentity?.uri, 'spiffe://cluster.local/ns/shop/sa/web');
  await assert.rejects(profile('nope.shop.svc.cluster.local:80').next(), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
});

test('streams_share_a_topic_and_release_it_when_cancelled', async (t) => {
  const { get, server } = await setup(t);
  const a = get('web.shop.svc.cluster.local:80');
  const b = get('web.shop:80', '{"ns":"shop"}');
  await a.next();
  await b.next();
  assert.equal(server.service.topicCount, 1);
  a.call.cancel();
  b.call.cancel();
  for (let i = 0; i < 100 && server.service.topicCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.service.topicCount, 0);
});

// Regression (issue 15): in the local runtime's loopback mode every workload is 127.0.0.1 and
// they differ by port; a pod-address lookup must find the workload listening on that port,
// not the first one with the IP (which made proxies expect the wrong identity).
test('pod_address_lookups_tell_workloads_on_one_ip_apart_by_port', async (t) => {
  const { get, profile, apply } = await setup(t);
  const loopbackWorkload = (name: string, port: number): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: lo}
spec: {ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: lo, labels: {kubernetes.io/service-name: ${name}}}
ports: [{name: http, port: ${port}}]
endpoints:
- addresses: [127.0.0.1]
  targetRef: {kind: Pod, name: ${name}, namespace: lo, serviceAccountName: ${name}}
`;
  await apply([loopbackWorkload('web', 41001), loopbackWorkload('catalog', 41002), loopbackWorkload('voting', 41003)].join('---\n'));
  for (const [name, port] of [['web', 41001], ['catalog', 41002], ['voting', 41003]] as const) {
    const u = await get(`127.0.0.1:${port}`).next();
    assert.deepEqual(addrs(u), [`127.0.0.1:${port}`]);
    assert.equal(u.add?.addrs[0]?.tlsIdentity?.uriLikeIdentity?.uri, `spiffe://cluster.local/ns/lo/sa/${name}`);
    const p = await profile(`127.0.0.1:${port}`).next();
    assert.equal(p.endpoint?.tlsIdentity?.uriLikeIdentity?.uri, `spiffe://cluster.local/ns/lo/sa/${name}`);
  }
});
