// Discovery on Kubernetes end to end: a real API server, `weft destination --store kubernetes`
// running on the host with the kubeconfig (as its Deployment would, minus the pod), and a real
// `weft proxy` process asking it about web.<ns>.svc.cluster.local. EndpointSlices are written
// through the API; each added endpoint must start answering through the proxy, and each
// removed one stop, within 1 s — measured over many changes (p50/p99 reported).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryV1Api } from '@kubernetes/client-node';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/lib/kube.js';
import { client, counted, type Counted } from '../helpers/http-load.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../helpers/k8s-cluster.js';
import { startProxyProcess } from '../helpers/proxy-process.js';
import { startWeft, type WeftProcess } from '../helpers/weft-process.js';

const NS = 'disc';
const WEB = `web.${NS}.svc.cluster.local:80`;
const CYCLES = Number(process.env.WEFT_K8S_PROPAGATION_CYCLES ?? 100);

function slice(name: string, b: Counted): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [b.addr.host], conditions: { ready: true } }],
    // A slice's ports apply to all its endpoints: one slice per test backend, each its own port.
    ports: [{ name: 'http', port: b.addr.port, protocol: 'TCP' }],
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

const skip = k8sSkipReason();

describe('destination over the kubernetes store, to a real proxy', { skip, timeout: 240_000 }, () => {
  let cluster: KubeCluster;
  let destination: WeftProcess;

  before(async () => {
    cluster = await startCluster();
    await cluster.k(['create', 'namespace', NS]);
    await cluster.k(['apply', '-f', '-'], `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${NS}}\nspec:\n  ports: [{name: http, port: 80, targetPort: 8080}]\n`);
    destination = await startWeft(undefined, ['destination', '--store', 'kubernetes', '--kubeconfig', cluster.kubeconfig, '--listen', '127.0.0.1:0'], /listening on port (\d+)/);
  });

  after(async () => {
    await destination?.stop();
    if (cluster?.external) await cluster.kubectl(['delete', 'namespace', NS, '--wait=false']);
    await cluster?.stop();
  });

  test('EndpointSlice adds and removes reach a watching proxy within 1 s (p99)', async (t) => {
    if (!cluster.hostIp) return t.skip('no non-loopback address to serve test endpoints on');
    const api = loadKubeConfig({ kubeconfig: cluster.kubeconfig }).makeApiClient(DiscoveryV1Api);
    const stable = await counted(t, 'stable', { host: cluster.hostIp });
    const extra = await counted(t, 'extra', { host: cluster.hostIp });
    await api.createNamespacedEndpointSlice({ namespace: NS, body: slice('web-stable', stable) });

    const proxy = await startProxyProcess(t, {
      WEFT_PROXY_DESTINATION_SVC_ADDR: `127.0.0.1:${destination.ready[1]}`,
      WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}`,
    });
    const get = client(t, proxy, 4);
    const first = await get(WEB);
    assert.equal(first.status, 200, `first request: ${first.status} ${first.body}`);
    assert.equal(first.body, 'stable');

    // Requests back to back until `done` says the proxy's view has changed. With no endpoints
    // the proxy answers at once (it fails fast rather than queueing), so each change is timed
    // between "only this endpoint" and "none": the balancer's preferences play no part.
    const until = async (what: string, done: (r: { status: number; body: string }) => boolean): Promise<number> => {
      const start = performance.now();
      for (;;) {
        const r = await get(WEB);
        if (done(r)) return performance.now() - start;
        if (performance.now() - start > 5000) throw new Error(`${what}: not seen through the proxy within 5 s (last answer ${r.status} ${r.body})`);
      }
    };
    await api.deleteNamespacedEndpointSlice({ namespace: NS, name: 'web-stable' });
    await until('stable removed', (r) => r.status !== 200);

    const added: number[] = [];
    const removed: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const name = `web-extra-${i}`;
      let t0 = performance.now();
      await api.createNamespacedEndpointSlice({ namespace: NS, body: slice(name, extra) });
      added.push(performance.now() - t0 + (await until(`add ${i}`, (r) => r.status === 200 && r.body === 'extra')));
      t0 = performance.now();
      await api.deleteNamespacedEndpointSlice({ namespace: NS, name });
      removed.push(performance.now() - t0 + (await until(`remove ${i}`, (r) => r.status !== 200)));
    }
    const fmt = (xs: number[]): string => `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
    t.diagnostic(`EndpointSlice add -> proxy routes to it (${CYCLES} changes): ${fmt(added)}`);
    t.diagnostic(`EndpointSlice delete -> proxy stops routing to it (${CYCLES} changes): ${fmt(removed)}`);
    assert.ok(percentile(added, 99) < 1000, `add p99 ${percentile(added, 99)} ms`);
    assert.ok(percentile(removed, 99) < 1000, `remove p99 ${percentile(removed, 99)} ms`);
    assert.ok(extra.hits >= CYCLES, 'every added endpoint was really used');
  });

  test('a slice marked not ready is not routed to; marking it ready is', async (t) => {
    if (!cluster.hostIp) return t.skip('no non-loopback address to serve test endpoints on');
    const api = loadKubeConfig({ kubeconfig: cluster.kubeconfig }).makeApiClient(DiscoveryV1Api);
    const b = await counted(t, 'late', { host: cluster.hostIp });
    const notReady = slice('web-late', b);
    notReady.endpoints[0]!.conditions = { ready: false };
    await api.createNamespacedEndpointSlice({ namespace: NS, body: notReady });
    const proxy = await startProxyProcess(t, {
      WEFT_PROXY_DESTINATION_SVC_ADDR: `127.0.0.1:${destination.ready[1]}`,
      WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}`,
    });
    const get = client(t, proxy, 2);
    for (let i = 0; i < 30; i++) assert.notEqual((await get(WEB)).status, 200, 'no ready endpoint: no answer from a backend');
    assert.equal(b.hits, 0);
    await api.patchNamespacedEndpointSlice({ namespace: NS, name: 'web-late', body: [{ op: 'replace', path: '/endpoints/0/conditions/ready', value: true }] });
    const start = Date.now();
    while ((await get(WEB)).body !== 'late') assert.ok(Date.now() - start < 3000, 'the ready endpoint was never used');
  });
});
