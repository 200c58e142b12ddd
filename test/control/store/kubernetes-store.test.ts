// test-timeout: 240000
// The kubernetes store backend against a real API server (test/helpers/k8s-cluster.ts): the
// list/watch contract of store/types.ts (ADDED, SYNCED, deltas, resourceVersions, deletions),
// identities read from Pods, both ServiceProfile CRDs, surviving an API server restart, and
// relisting when the API server no longer has a watch's version (410 Gone).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { loadKubeConfig } from '../../../src/lib/kube.js';
import { KubernetesStore } from '../../../src/control/store/kubernetes/kubernetes-store.js';
import type { EndpointSlice, Kind, Resource, WatchEvent } from '../../../src/control/store/types.js';
import { renderCrds } from '../../../src/runtime/kubernetes/manifests/crds.js';
import { toYaml } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../../helpers/k8s-cluster.js';

const NS = 'store-test';

function events<K extends Kind>(store: KubernetesStore, kind: K, opts: { resourceVersion?: string } = {}) {
  const seen: WatchEvent[] = [];
  const w = store.watch(kind, (e) => seen.push(e as WatchEvent), opts);
  const waitFor = async (what: string, pred: (e: WatchEvent) => boolean, ms = 10_000): Promise<WatchEvent> => {
    const end = Date.now() + ms;
    for (;;) {
      const hit = seen.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms; saw ${seen.map(show).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { seen, close: () => w.close(), waitFor };
}

function show(e: WatchEvent): string {
  return e.type === 'SYNCED' ? `SYNCED@${e.resourceVersion}` : `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`;
}

const named = (type: string, name: string) => (e: WatchEvent): boolean => e.type !== 'SYNCED' && e.type === type && e.object.metadata.name === name;

function serviceYaml(name: string, port = 80): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n  ports: [{name: http, port: ${port}, targetPort: 8080}]\n`;
}

function sliceYaml(name: string, service: string, ips: string[], pod?: string): string {
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}, namespace: ${NS}, labels: {kubernetes.io/service-name: ${service}}}
addressType: IPv4
endpoints:
${ips.map((ip, i) => `- addresses: [${ip}]\n  conditions: {ready: true}${pod ? `\n  targetRef: {kind: Pod, name: ${pod}-${i}, namespace: ${NS}}` : ''}`).join('\n')}
ports: [{name: http, port: 8080, protocol: TCP}]
`;
}

function podYaml(name: string, sa: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n  serviceAccountName: ${sa}\n  containers: [{name: app, image: example.invalid/app:1}]\n`;
}

const skip = k8sSkipReason();

/**
 * A TCP relay in front of the test API server and a kubeconfig through it: `pairs` are the
 * relayed connections (client side, API server side); `cut(true)` closes them all and refuses
 * new ones until `cut(false)`. Everything is closed when the test ends.
 */
async function apiServerRelay(t: { after(fn: () => void): void }, cluster: KubeCluster, name: string): Promise<{ kubeconfig: string; pairs: [Socket, Socket][]; cut(on: boolean): void }> {
  let refusing = false;
  const pairs: [Socket, Socket][] = [];
  const target = new URL(cluster.server);
  const relay: Server = createServer((down) => {
    if (refusing) return void down.destroy();
    const up = connect(Number(target.port), target.hostname);
    down.pipe(up).pipe(down);
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    pairs.push([down, up]);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const destroyAll = (): void => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
  };
  t.after(() => {
    destroyAll();
    relay.close();
  });
  const kubeconfig = `${cluster.kubeconfig}.${name}`;
  await writeFile(kubeconfig, (await readFile(cluster.kubeconfig, 'utf8')).replace(cluster.server, `https://127.0.0.1:${(relay.address() as { port: number }).port}`));
  return {
    kubeconfig,
    pairs,
    cut(on) {
      refusing = on;
      if (on) destroyAll();
    },
  };
}

describe('kubernetes store', { skip, timeout: 180_000 }, () => {
  let cluster: KubeCluster;
  let store: KubernetesStore;

  before(async () => {
    cluster = await startCluster();
    await cluster.k(['create', 'namespace', NS]);
    await cluster.k(['apply', '-f', '-'], toYaml(renderCrds({ linkerdCrds: true })));
    await cluster.k(['wait', '--for=condition=Established', 'crd/serviceprofiles.weft.io', 'crd/serviceprofiles.linkerd.io', '--timeout=30s']);
    await cluster.k(['create', 'serviceaccount', 'web', '-n', NS]);
    store = await KubernetesStore.open(loadKubeConfig({ kubeconfig: cluster.kubeconfig }), { initialBackoffMs: 100, maxBackoffMs: 1000 });
  });

  after(async () => {
    await store?.close();
    if (cluster?.external) await cluster.kubectl(['delete', 'namespace', NS, '--wait=false']);
    await cluster?.stop();
  });

  test('a watch gets the current objects as ADDED, then SYNCED, then changes in version order', async () => {
    await cluster.k(['apply', '-f', '-'], serviceYaml('web') + '---\n' + sliceYaml('web-a', 'web', ['10.1.0.1']));
    // The store follows the cluster: wait until it has both.
    const pre = events(store, 'EndpointSlice');
    await pre.waitFor('slice web-a', named('ADDED', 'web-a'));
    pre.close();

    const w = events(store, 'Service');
    await w.waitFor('SYNCED', (e) => e.type === 'SYNCED');
    const synced = w.seen.findIndex((e) => e.type === 'SYNCED');
    assert.ok(w.seen.slice(0, synced).some(named('ADDED', 'web')), 'existing service replayed before SYNCED');
    assert.ok(w.seen.slice(0, synced).every((e) => e.type === 'ADDED'));

    await cluster.k(['apply', '-f', '-'], serviceYaml('web', 81));
    const mod = await w.waitFor('MODIFIED web', named('MODIFIED', 'web'));
    assert.equal(mod.type !== 'SYNCED' && (mod.object as Resource & { kind: 'Service' }).spec.ports[0]?.port, 81);
    await cluster.k(['delete', 'service', 'web', '-n', NS]);
    const del = await w.waitFor('DELETED web', named('DELETED', 'web'));
    const versions = w.seen.slice(synced + 1).map((e) => (e.type === 'SYNCED' ? 0 : Number(e.object.metadata.resourceVersion)));
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'deltas arrive in resourceVersion order');
    assert.ok(del.type === 'DELETED' && Number(del.object.metadata.resourceVersion) > Number((mod as { object: Resource }).object.metadata.resourceVersion));
    assert.equal(await store.get('Service', NS, 'web'), undefined, 'deleted objects are dropped');
    w.close();
  });

  test('watch from a list version replays only later changes', async () => {
    const listed = await store.list('Service', NS);
    await cluster.k(['apply', '-f', '-'], serviceYaml('later'));
    const w = events(store, 'Service', { resourceVersion: listed.resourceVersion });
    await w.waitFor('ADDED later', named('ADDED', 'later'));
    const before = w.seen.slice(0, w.seen.findIndex((e) => e.type === 'SYNCED'));
    assert.ok(before.every((e) => e.type !== 'SYNCED' && Number(e.object.metadata.resourceVersion) > Number(listed.resourceVersion)),
      `only changes after ${listed.resourceVersion}: ${w.seen.map(show).join(', ')}`);
    w.close();
  });

  test("an endpoint's identity is its pod's service account, also when the pod shows up after the slice", async () => {
    await cluster.k(['apply', '-f', '-'], podYaml('api-0', 'web'));
    const w = events(store, 'EndpointSlice');
    await cluster.k(['apply', '-f', '-'], serviceYaml('api') + '---\n' + sliceYaml('api-a', 'api', ['10.1.0.2', '10.1.0.3'], 'api'));
    const added = await w.waitFor('slice api-a', named('ADDED', 'api-a'));
    const eps = (added as { object: EndpointSlice }).object.endpoints;
    assert.equal(eps[0]?.targetRef?.serviceAccountName, 'web', 'known pod: its service account');
    assert.equal(eps[1]?.targetRef?.serviceAccountName, 'default', 'unknown pod: default until it appears');

    await cluster.k(['apply', '-f', '-'], podYaml('api-1', 'web'));
    await w.waitFor('slice api-a re-read with the new pod', (e) =>
      e.type === 'MODIFIED' && e.object.metadata.name === 'api-a' && (e.object as EndpointSlice).endpoints[1]?.targetRef?.serviceAccountName === 'web');
    w.close();
  });

  test('ServiceProfiles from both CRDs; weft.io wins over linkerd.io for the same name', async () => {
    const profile = (apiVersion: string, route: string): string => `apiVersion: ${apiVersion}
kind: ServiceProfile
metadata: {name: api.${NS}.svc.cluster.local, namespace: ${NS}}
spec:
  routes: [{name: ${route}, condition: {method: GET, pathRegex: /x}}]
`;
    const w = events(store, 'ServiceProfile');
    await cluster.k(['apply', '-f', '-'], profile('linkerd.io/v1alpha2', 'from-linkerd'));
    const fromLinkerd = await w.waitFor('linkerd profile', (e) => e.type === 'ADDED');
    assert.ok(fromLinkerd.type === 'ADDED' && fromLinkerd.object.apiVersion === 'linkerd.io/v1alpha2');
    await cluster.k(['apply', '-f', '-'], profile('weft.io/v1alpha1', 'from-weft'));
    await w.waitFor('weft profile takes over', (e) => e.type === 'MODIFIED' && e.object.apiVersion === 'weft.io/v1alpha1');
    await cluster.k(['delete', 'serviceprofiles.weft.io', `api.${NS}.svc.cluster.local`, '-n', NS]);
    await w.waitFor('linkerd profile back', (e) => e.type === 'MODIFIED' && e.object.apiVersion === 'linkerd.io/v1alpha2');
    await cluster.k(['delete', 'serviceprofiles.linkerd.io', `api.${NS}.svc.cluster.local`, '-n', NS]);
    await w.waitFor('profile gone', (e) => e.type === 'DELETED');
    w.close();
  });

  test("EgressNetworks from Linkerd's CRD are read and validated; one weft cannot read is skipped", async () => {
    const w = events(store, 'EgressNetwork');
    await cluster.k(['apply', '-f', '-'], `apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: bad, namespace: ${NS}}
spec: {trafficPolicy: Maybe}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: internet, namespace: ${NS}}
spec: {trafficPolicy: Deny, networks: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]}
`);
    const added = await w.waitFor('the EgressNetwork', named('ADDED', 'internet'));
    assert.ok(added.type === 'ADDED' && added.object.kind === 'EgressNetwork' && added.object.spec.trafficPolicy === 'Deny');
    assert.deepEqual(added.object.spec.networks, [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }]);
    assert.ok(!w.seen.some(named('ADDED', 'bad')));
    w.close();
  });

  test('an object weft cannot read is skipped, not fatal', async () => {
    // A slice without the service-name label belongs to no service.
    const w = events(store, 'EndpointSlice');
    await cluster.k(['apply', '-f', '-'], sliceYaml('orphan', 'x', ['10.1.0.9']).replace(/labels: \{[^}]*\}/, 'labels: {app: x}'));
    await cluster.k(['apply', '-f', '-'], serviceYaml('next') + '---\n' + sliceYaml('next-a', 'next', ['10.1.0.10']));
    await w.waitFor('the next slice', named('ADDED', 'next-a'));
    assert.ok(!w.seen.some(named('ADDED', 'orphan')));
    w.close();
  });

  test('a kind the cluster does not serve (no Gateway API CRDs here) is retried quietly, never counted as a 410 relist', async (t) => {
    if (cluster.external) return t.skip('external cluster');
    const quick = await KubernetesStore.open(loadKubeConfig({ kubeconfig: cluster.kubeconfig }), { initialBackoffMs: 100, maxBackoffMs: 500, absentRetryMs: 50 });
    t.after(() => quick.close());
    await new Promise((r) => setTimeout(r, 1000));
    const path = '/apis/gateway.networking.k8s.io/v1/httproutes';
    // About 20 retries in that second; before, each one counted (and logged) as a 410 relist.
    assert.equal(quick.lists[path], 1, JSON.stringify(quick.lists));
  });

  test('a watch survives an API server restart and catches up with what changed', async (t) => {
    if (cluster.external) return t.skip('external cluster');
    const w = events(store, 'Service');
    await w.waitFor('SYNCED', (e) => e.type === 'SYNCED');
    await cluster.k(['apply', '-f', '-'], serviceYaml('doomed'));
    await w.waitFor('ADDED doomed', named('ADDED', 'doomed'));
    const restartsBefore = Object.values(store.restarts).reduce((a, b) => a + b, 0);

    await cluster.stopApiServer();
    await new Promise((r) => setTimeout(r, 500));
    await cluster.startApiServer();
    // Changed before the store has reconnected (its backoff is at least 100 ms), and after.
    await cluster.k(['delete', 'service', 'doomed', '-n', NS]);
    await cluster.k(['apply', '-f', '-'], serviceYaml('reborn'));
    await w.waitFor('DELETED doomed', named('DELETED', 'doomed'), 20_000);
    await w.waitFor('ADDED reborn', named('ADDED', 'reborn'), 20_000);
    assert.ok(Object.values(store.restarts).reduce((a, b) => a + b, 0) > restartsBefore, 'the informers noticed the broken watch');
    assert.equal(w.seen.filter((e) => e.type === 'SYNCED').length, 1, 'a reconnect is not a new SYNCED for an open watch');
    // And the store keeps following.
    await cluster.k(['apply', '-f', '-'], serviceYaml('after'));
    await w.waitFor('ADDED after', named('ADDED', 'after'));
    w.close();
  });

  test('a watch whose version the API server no longer has (410 Gone) relists, catches up and reports what vanished as deletions', async (t) => {
    if (cluster.external) return t.skip('external cluster');
    // A TCP relay to the API server that can cut the store off while the test changes things
    // directly, as a network partition would.
    const relay = await apiServerRelay(t, cluster, 'relay410');
    const kubeconfig = relay.kubeconfig;
    const relayed = await KubernetesStore.open(loadKubeConfig({ kubeconfig }), { initialBackoffMs: 100, maxBackoffMs: 500 });
    t.after(() => relayed.close());
    const w = events(relayed, 'Service');
    await w.waitFor('SYNCED', (e) => e.type === 'SYNCED');
    await cluster.k(['apply', '-f', '-'], serviceYaml('gone-in-partition'));
    await w.waitFor('ADDED gone-in-partition', named('ADDED', 'gone-in-partition'));

    const path = '/api/v1/services';
    relay.cut(true);
    const version = relayed.watchVersions[path] as string;
    const listsBefore = relayed.lists[path] as number;
    // Meanwhile: one Service deleted, one created; then the API server restarts, so its watch
    // cache begins after both and cannot replay from the store's version.
    await cluster.k(['delete', 'service', 'gone-in-partition', '-n', NS]);
    await cluster.k(['apply', '-f', '-'], serviceYaml('made-in-partition'));
    await cluster.stopApiServer();
    await cluster.startApiServer();
    // The API server itself refuses to resume from that version: 410 Gone (asked directly, not through the relay).
    const probe = await cluster.kubectl(['get', '--raw', `${path}?watch=1&resourceVersion=${version}&timeoutSeconds=2`]);
    assert.match(probe.stdout + probe.stderr, /"code":410|\(Expired\)|too old resource version/, `resume from ${version}: ${probe.stdout}${probe.stderr}`);
    t.diagnostic(`resume from ${version} answered: ${(probe.stdout + probe.stderr).trim().slice(0, 200)}`);

    relay.cut(false);
    await w.waitFor('DELETED gone-in-partition', named('DELETED', 'gone-in-partition'), 20_000);
    await w.waitFor('ADDED made-in-partition', named('ADDED', 'made-in-partition'), 20_000);
    assert.ok((relayed.lists[path] as number) > listsBefore, `the store relisted (lists ${listsBefore} -> ${relayed.lists[path]})`);
    assert.equal(w.seen.filter((e) => e.type === 'SYNCED').length, 1, 'a relist is not a new SYNCED for an open watch');
    assert.equal(await relayed.get('Service', NS, 'gone-in-partition'), undefined);
    // And it keeps following from the relisted version.
    await cluster.k(['apply', '-f', '-'], serviceYaml('after-relist'));
    await w.waitFor('ADDED after-relist', named('ADDED', 'after-relist'));
    w.close();
  });

  test('a watch whose connection goes silent (no FIN, as behind a dead NAT) is reopened', async (t) => {
    if (cluster.external) return t.skip('external cluster');
    // A TCP relay to the API server that can be frozen: bytes stop in both directions, and
    // neither side sees the connection close.
    const relay = await apiServerRelay(t, cluster, 'relay');
    const kubeconfig = relay.kubeconfig;
    const relayed = await KubernetesStore.open(loadKubeConfig({ kubeconfig }), { initialBackoffMs: 100, watchIdleMs: 1500 });
    t.after(() => relayed.close());
    const w = events(relayed, 'Service');
    await w.waitFor('SYNCED', (e) => e.type === 'SYNCED');
    for (const [a, b] of [...relay.pairs]) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
    const start = Date.now();
    await cluster.k(['apply', '-f', '-'], serviceYaml('behind-a-dead-nat'));
    await w.waitFor('ADDED behind-a-dead-nat', named('ADDED', 'behind-a-dead-nat'), 10_000);
    t.diagnostic(`change seen ${Date.now() - start} ms after the connection froze (idle limit 1500 ms)`);
    w.close();
  });
});
