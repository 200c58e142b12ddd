// `weft viz stat --kubernetes` against a real API server: a Deployment whose pod's proxy is a
// real `weft proxy` on this host (the pod's IP, reported as a kubelet would, is this host's), a
// Deployment without a proxy, traffic through the proxy's inbound side during the window; the
// proxy is scraped through the API server's pod proxy and the table shows both workloads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { background, counted } from '../helpers/http-load.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../helpers/k8s-cluster.js';
import { fakeDeploymentYaml } from '../helpers/k8s-fixtures.js';
import { markPodRunning, podsOf } from '../helpers/k8s-kubelet.js';
import { startProxyProcess } from '../helpers/proxy-process.js';
import { runWeft } from '../helpers/weft-process.js';

const NS = 'viz';
// The API server proxies to the pod's IP; a cluster named by KUBECONFIG has its own pods.
const skip = k8sSkipReason() ?? (process.env.KUBECONFIG ? 'needs the local test API server (pods reported from this host)' : undefined);

function deployment(name: string, proxyAdminPort?: number): string {
  return fakeDeploymentYaml(NS, name, { appImage: 'example.invalid/app:1', ...(proxyAdminPort ? { proxyPorts: { 'weft-admin': proxyAdminPort } } : {}) });
}

describe('weft viz stat --kubernetes', { skip, timeout: 120_000 }, () => {
  let cluster: KubeCluster;
  before(async () => {
    cluster = await startCluster();
    await cluster.k(['create', 'namespace', NS]);
  });
  after(async () => cluster?.stop());

  test('meshed and unmeshed workloads, with the meshed one\'s golden metrics from its proxy', async (t) => {
    const app = await counted(t, 'app');
    const proxy = await startProxyProcess(t, {
      WEFT_PROXY_ADMIN_LISTEN_ADDR: `${cluster.hostIp}:0`,
      WEFT_PROXY_INBOUND_DEFAULT_DST: `127.0.0.1:${app.addr.port}`,
    });
    await cluster.k(['apply', '-f', '-'], deployment('web', proxy.admin.port) + deployment('plain'));
    for (const name of [...(await podsOf(cluster, NS, 'app=web')), ...(await podsOf(cluster, NS, 'app=plain'))]) {
      await markPodRunning(cluster, NS, name, cluster.hostIp);
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    t.after(() => agent.destroy());
    const load = background(2, () => new Promise((resolve, reject) => {
      const start = performance.now();
      http.get({ host: proxy.inbound.host, port: proxy.inbound.port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', ms: performance.now() - start }));
      }).on('error', reject);
    }));
    const r = await runWeft(['viz', 'stat', '--kubernetes', '--kubeconfig', cluster.kubeconfig, '-n', NS, '--window', '1s']);
    await load.stop();
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'NAMESPACE', 'MESHED', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN']);
    const web = rows.find((x) => x[0] === 'web');
    const plain = rows.find((x) => x[0] === 'plain');
    assert.ok(web && plain, r.stdout);
    assert.equal(web[2], '1/1');
    assert.equal(web[3], '100.00%', r.stdout);
    assert.ok(parseFloat(web[4] ?? '0') > 1, `rps ${web[4]}`);
    assert.equal(plain[2], '0/1');
    assert.equal(plain[3], '-');
    assert.ok(app.hits > 0);
  });
});
