// test-timeout: 400000
// The viz extension on Kubernetes for real, without a kubelet: a real API server with
// `weft viz install` applied; three Deployments in it — two meshed, whose pods' status (set as a
// kubelet would) points at real weft proxies on loopback addresses of this host, one without a
// proxy; a real Prometheus (built with its Kubernetes discovery: test/k8s/build-prometheus.sh)
// run on the host with the scrape config and recording rules of the install's ConfigMap (the
// same function, differing only in how it reaches the API server) and the prometheus service
// account's token; the metrics API (`weft metrics-api --store kubernetes`) on the host with the
// metrics-api service account's token, so both run with the install's RBAC; and the CLI's
// `weft viz stat/edges/routes --kubernetes` reaching it through the API server's service proxy,
// answering with the traffic the test sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgesResult } from '../../src/control/metrics/edges.js';
import { renderRules } from '../../src/control/metrics/recording-rules.js';
import type { RoutesResult } from '../../src/control/metrics/routes.js';
import type { StatResult } from '../../src/control/metrics/stat.js';
import { loadKubeConfig } from '../../src/lib/kube.js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { renderClusterPrometheusConfig } from '../../src/runtime/kubernetes/viz/prometheus-config.js';
import { freePorts } from '../../src/runtime/local/loopback.js';
import { profileYaml } from '../helpers/destination.js';
import { client, failures, load, sleep, until } from '../helpers/http-load.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../helpers/k8s-cluster.js';
import { fakeDeploymentYaml } from '../helpers/k8s-fixtures.js';
import { markPodRunning, podsOf } from '../helpers/k8s-kubelet.js';
import { startTestProxy } from '../helpers/proxy.js';
import { reapWithTest } from '../helpers/reaper.js';
import { runWeft, startWeft, type WeftProcess } from '../helpers/weft-process.js';

const NS = 'shop';
const PROMETHEUS_VERSION = process.env.WEFT_PROMETHEUS_VERSION ?? 'v0.316.0';
const PROMETHEUS = join(process.env.WEFT_PROMETHEUS_CACHE ?? join(homedir(), '.cache', 'weft', 'prometheus'), PROMETHEUS_VERSION, 'bin', 'prometheus');
// Pod IPs: loopback addresses of their own (Linux routes all of 127/8 to lo), so each pod's
// address names it alone, as pod IPs do on a cluster; ports are ephemeral.
const CLIENT_IP = '127.0.0.2';
const API_IP = '127.0.0.3';
// Every CLI call below is a new process loading the Kubernetes client (seconds on a loaded
// machine): the window must still hold the measured traffic when the last test asks.
const WINDOW_S = 60;
// After the warm-up: 60 GET /ok (200) and 20 GET /fail (500) from deploy/client to deploy/api.
const SENT = { ok: 60, fail: 20, total: 80 };
const near = (got: number | undefined, want: number, tol = 0.15): boolean => got !== undefined && Math.abs(got - want) <= want * tol + 0.5;

const skip = k8sSkipReason()
  ?? (process.env.KUBECONFIG ? 'needs the local test API server (pods reported from this host)' : undefined)
  ?? (!existsSync(PROMETHEUS) && process.env.WEFT_K8S_REQUIRED !== '1' ? `no Prometheus with Kubernetes discovery at ${PROMETHEUS} (Debian's has none): run test/k8s/build-prometheus.sh` : undefined);

/** A Deployment whose pod carries a proxy at these ports (labelled as this control plane's), or none. */
function deployment(name: string, proxy?: { admin: number; inbound: number }): string {
  return fakeDeploymentYaml(NS, name, proxy ? { proxyPorts: { 'weft-proxy': proxy.inbound, 'weft-admin': proxy.admin }, podLabels: { 'weft.io/control-plane-ns': 'weft' } } : {});
}

describe('weft viz install on Kubernetes: Prometheus, the metrics API and viz --kubernetes', { skip, timeout: 360_000 }, () => {
  let cluster: KubeCluster;
  let dir: string;
  let app: http.Server;
  let apiProxy: ProxyHandle;
  let clientProxy: ProxyHandle;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let metricsApi: WeftProcess;
  let userKubeconfig: string;
  const cleanups: (() => unknown)[] = [];
  const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };
  const weft = (args: string[]) => runWeft([...args, '--kubernetes', '--kubeconfig', userKubeconfig]);
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await weft([...args, '-o', 'json']);
    assert.equal(r.code, 0, `weft ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const promQuery = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (r.status !== 'success') throw new Error(`${q}: ${r.error}`);
    return r.data.result;
  };
  /** A kubeconfig for a service account of the install: its token, the cluster's CA. */
  const serviceAccountKubeconfig = async (sa: string): Promise<{ kubeconfig: string; tokenFile: string; caFile: string }> => {
    const token = (await cluster.k(['create', 'token', sa, '-n', 'weft-viz', '--duration', '1h'])).trim();
    if (!/^[\w.-]+$/.test(token)) throw new Error(`kubectl create token ${sa}: ${token}`);
    const caFile = loadKubeConfig({ kubeconfig: cluster.kubeconfig }).getCurrentCluster()?.caFile ?? '';
    const tokenFile = join(dir, `${sa}.token`);
    const kubeconfig = join(dir, `${sa}.kubeconfig`);
    await writeFile(tokenFile, token, { mode: 0o600 });
    await writeFile(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: sa',
      'clusters:', '- name: c', '  cluster:', `    server: ${cluster.server}`, `    certificate-authority: ${caFile}`,
      'users:', `- name: ${sa}`, '  user:', `    token: ${token}`,
      'contexts:', '- name: sa', `  context: {cluster: c, user: ${sa}}`, '',
    ].join('\n'), { mode: 0o600 });
    return { kubeconfig, tokenFile, caFile };
  };

  before(async () => {
    cluster = await startCluster();
    dir = await mkdtemp(join(tmpdir(), 'weft-k8s-viz-'));
    userKubeconfig = cluster.kubeconfig;
    // The CRDs (ServiceProfiles for `viz routes`), then the extension, as a user would apply them.
    await cluster.k(['apply', '-f', '-'], (await runWeft(['install', '--crds'])).stdout);
    const install = await runWeft(['viz', 'install', '--scrape-interval', '1s']);
    assert.equal(install.code, 0, install.stderr);
    await cluster.k(['apply', '-f', '-'], install.stdout);
    await cluster.k(['create', 'namespace', NS]);

    // The api app behind deploy/api's proxy: /fail answers 500, anything else 200.
    app = http.createServer((req, res) => {
      res.writeHead(req.url === '/fail' ? 500 : 200, { 'content-type': 'text/plain' });
      res.end('api');
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
    const appPort = (app.address() as AddressInfo).port;
    apiProxy = await startTestProxy({
      WEFT_PROXY_INBOUND_LISTEN_ADDR: `${API_IP}:0`, WEFT_PROXY_ADMIN_LISTEN_ADDR: `${API_IP}:0`,
      WEFT_PROXY_INBOUND_DEFAULT_DST: `127.0.0.1:${appPort}`,
    });
    clientProxy = await startTestProxy({
      WEFT_PROXY_INBOUND_LISTEN_ADDR: `${CLIENT_IP}:0`, WEFT_PROXY_ADMIN_LISTEN_ADDR: `${CLIENT_IP}:0`,
    });
    // The Service targets the app's port, as on a cluster (the inbound proxy's target_addr there
    // is the app's port, where iptables sent the connection from).
    await cluster.k(['apply', '-f', '-'], deployment('client', { admin: clientProxy.admin.port, inbound: clientProxy.inbound.port })
      + deployment('api', { admin: apiProxy.admin.port, inbound: apiProxy.inbound.port }) + deployment('plain')
      + `apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: ${NS}}\nspec:\n  selector: {app: api}\n  ports: [{name: http, port: 80, targetPort: ${appPort}}]\n---\n`
      + profileYaml(NS, 'api', { routes: [{ name: 'GET /ok', pathRegex: '/ok' }, { name: 'GET /fail', pathRegex: '/fail' }] }));
    for (const [name, ip] of [['client', CLIENT_IP], ['api', API_IP], ['plain', cluster.hostIp]] as const) {
      for (const pod of await podsOf(cluster, NS, `app=${name}`)) await markPodRunning(cluster, NS, pod, ip);
    }

    // Prometheus with the install's scrape config and rules, as the prometheus service account.
    const promSa = await serviceAccountKubeconfig('weft-prometheus');
    const [promPort] = (await freePorts(1)) as [number];
    promUrl = `http://127.0.0.1:${promPort}`;
    await writeFile(join(dir, 'rules.yml'), renderRules(1));
    await writeFile(join(dir, 'prometheus.yml'), renderClusterPrometheusConfig({
      scrapeIntervalSeconds: 1, rulesFile: join(dir, 'rules.yml'), selfAddr: `127.0.0.1:${promPort}`,
      apiServer: { url: cluster.server, caFile: promSa.caFile, tokenFile: promSa.tokenFile },
    }));
    prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    reapWithTest(prometheus);
    let log = '';
    prometheus.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
    await until('prometheus ready', async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      return fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false);
    }, 30_000).catch((err: unknown) => { throw new Error(`${(err as Error).message}\n${log}`); });

    // The metrics API as the metrics-api service account, reached through its Service: the test
    // points the Service at the port the host process got (the manifest's 8085 may be taken here).
    const apiSa = await serviceAccountKubeconfig('weft-metrics-api');
    metricsApi = await startWeft(undefined, ['metrics-api', '--store', 'kubernetes', '--kubeconfig', apiSa.kubeconfig, '--prometheus-url', promUrl,
      '--scrape-interval', '1s', '--listen', `${cluster.hostIp}:0`, '--listen-web', `${cluster.hostIp}:0`], /metrics API ready: port (\d+), web port (\d+)/);
    await cluster.k(['patch', 'service', 'weft-metrics-api', '-n', 'weft-viz', '--type=json', '-p', JSON.stringify([
      { op: 'replace', path: '/spec/ports/0/targetPort', value: Number(metricsApi.ready[1]) },
      { op: 'replace', path: '/spec/ports/1/targetPort', value: Number(metricsApi.ready[2]) },
    ])]);
    for (const pod of await podsOf(cluster, 'weft-viz', 'weft.io/viz-component=metrics-api')) await markPodRunning(cluster, 'weft-viz', pod, cluster.hostIp);

    // Warm-up: every label set exists in Prometheus before the measured traffic (a series'
    // first count is never part of an increase()), and older than the window.
    // The client's proxy sends to the api pod's address (no discovery here): its outbound series'
    // target_addr is that pod IP, which the inventory maps back to deploy/api.
    const get = client(scope, clientProxy);
    const apiAddr = `${API_IP}:${apiProxy.inbound.port}`;
    const path = (i: number): string => (i % 4 === 3 ? '/fail' : '/ok');
    const warm = await load(8, 1, (i) => get(apiAddr, path(i)));
    assert.deepEqual(failures(warm), ['500 api', '500 api']);
    const inbound = `sum(pod:response_total:sum{namespace="${NS}", deployment="api", direction="inbound"})`;
    const samples = `min(count_over_time(pod:response_total:sum{namespace="${NS}", deployment="api", direction="inbound"}[2m]))`;
    await until('warm-up scraped, older than the window', async () => Number((await promQuery(samples))[0]?.value[1] ?? 0) >= WINDOW_S + 2 && Number((await promQuery(inbound))[0]?.value[1] ?? 0) === 8, 120_000);
    const out = await load(SENT.total, 4, (i) => get(apiAddr, path(i)));
    assert.equal(failures(out).length, SENT.fail);
    await until('the measured traffic scraped', async () => Number((await promQuery(inbound))[0]?.value[1] ?? 0) === 8 + SENT.total, 30_000);
    await sleep(1500);
  });

  after(async () => {
    await metricsApi?.stop();
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await clientProxy?.close();
    await apiProxy?.close();
    for (const c of cleanups.reverse()) await c();
    app?.closeAllConnections();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("Prometheus finds the meshed pods' admin ports and labels them as the local runtime does", async () => {
    const up = await promQuery('up{job="weft-proxy"}');
    const targets = up.map((s) => ({ ...s.metric })).sort((a, b) => (a['deployment'] ?? '').localeCompare(b['deployment'] ?? ''));
    assert.equal(targets.length, 2, JSON.stringify(targets));
    const [api, cli] = targets;
    assert.equal(api?.['deployment'], 'api');
    assert.match(api?.['pod'] ?? '', /^api-[a-z0-9]+-[a-z0-9]+$/);
    assert.equal(api?.['namespace'], NS);
    assert.equal(api?.['instance'], `${API_IP}:${apiProxy.admin.port}`);
    assert.equal(cli?.['deployment'], 'client');
    assert.ok(up.every((s) => s.value[1] === '1'), 'both scraped');
    // No __meta_* left over (only the metric's name), and the unmeshed pod's ports are not targets.
    assert.deepEqual(targets.map((m) => Object.keys(m).filter((k) => k.startsWith('__'))), [['__name__'], ['__name__']]);
    // The weft-control job: the metrics API's pod, on its Deployment's port (the host process
    // listens elsewhere, so the scrape itself fails here: only discovery is checked).
    await until('the metrics API pod discovered', async () => (await promQuery('up{job="weft-control"}')).length > 0, 15_000);
    const control = await promQuery('up{job="weft-control"}');
    assert.deepEqual(control.map((s) => [s.metric['component'], s.metric['instance']]), [['metrics-api', `${cluster.hostIp}:8085`]]);
  });

  test('viz stat deploy --kubernetes: the requests the test sent, per Deployment, meshed counts', async (t) => {
    const r = await json<StatResult>(['viz', 'stat', 'deploy', '-n', NS, '-t', `${WINDOW_S}s`]);
    const api = r.rows.find((x) => x.name === 'api');
    const plain = r.rows.find((x) => x.name === 'plain');
    assert.ok(api && plain, JSON.stringify(r.rows));
    assert.equal(api.meshedPods, 1);
    assert.equal(plain.meshedPods, 0);
    assert.equal(plain.pods, 1);
    assert.ok(near(api.rps * WINDOW_S, SENT.total), `api requests in the window: ${api.rps * WINDOW_S} (sent ${SENT.total})`);
    assert.ok(near(api.successRate, SENT.ok / SENT.total, 0.05), `success ${api.successRate}`);
    const table = await weft(['viz', 'stat', 'deploy', '-n', NS, '-t', `${WINDOW_S}s`]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+MESHED\s+SUCCESS\s+RPS/);
    assert.match(table.stdout, /\napi\s+1\/1\s+7\d\.\d\d%/);
    t.diagnostic(`weft viz stat deploy -n ${NS} -t ${WINDOW_S}s --kubernetes:\n${table.stdout}`);
  });

  test('viz stat with --from, pods and Services answer on a cluster', async () => {
    const from = await json<StatResult>(['viz', 'stat', 'deploy/api', '-n', NS, '--from', 'deploy/client', '-t', `${WINDOW_S}s`]);
    assert.equal(from.rows.length, 1);
    assert.ok(near((from.rows[0]?.rps ?? 0) * WINDOW_S, SENT.total), JSON.stringify(from.rows));
    const pods = await json<StatResult>(['viz', 'stat', 'po', '-n', NS, '-t', `${WINDOW_S}s`]);
    assert.deepEqual(pods.rows.map((x) => x.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).sort(), ['api', 'client', 'plain']);
    const svc = await json<StatResult>(['viz', 'stat', 'svc/api', '-n', NS, '-t', `${WINDOW_S}s`]);
    assert.ok(near((svc.rows[0]?.rps ?? 0) * WINDOW_S, SENT.total), JSON.stringify(svc.rows));
  });

  test('viz edges --kubernetes: client -> api, from both proxies\' series', async () => {
    const r = await json<EdgesResult>(['viz', 'edges', 'deploy', '-n', NS, '-t', `${WINDOW_S}s`]);
    const edge = r.edges.find((e) => e.src === 'client' && e.dst === 'api');
    assert.ok(edge, JSON.stringify(r.edges));
    assert.equal(edge.srcNamespace, NS);
    assert.ok(near(edge.responses, SENT.total), `responses ${edge.responses}`);
  });

  test("viz routes --kubernetes: the ServiceProfile's routes, read with the metrics API's RBAC", async () => {
    const r = await json<RoutesResult>(['viz', 'routes', 'svc/api', '-n', NS, '-t', `${WINDOW_S}s`]);
    assert.deepEqual(r.withoutProfile, []);
    assert.deepEqual(r.rows.map((x) => x.route), ['GET /ok', 'GET /fail', '[DEFAULT]']);
    // No policy here: authz answers, with nothing decided.
    const authz = await weft(['viz', 'authz', 'deploy/api', '-n', NS, '-t', `${WINDOW_S}s`]);
    assert.equal(authz.code, 0, authz.stderr);
    assert.match(authz.stderr, /no inbound HTTP requests decided by policy/);
  });

  test("weft dashboard --kubernetes relays the cluster's dashboard on loopback, read-only", async (t) => {
    const d = await startWeft(t, ['dashboard', '--kubernetes', '--kubeconfig', userKubeconfig], /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
    const url = d.ready[1] ?? '';
    assert.equal(await (await fetch(`${url}ready`)).text(), 'ok\n');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const overview = await (await fetch(`${url}api/overview`)).text();
    assert.match(overview, /"api"/, overview.slice(0, 300));
    // The live feed streams through the API server: its first event arrives.
    const ac = new AbortController();
    const events = await fetch(`${url}api/events`, { signal: ac.signal });
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    const first = await events.body?.getReader().read();
    ac.abort();
    assert.match(new TextDecoder().decode(first?.value), /^(event|data|:|retry)/m);
    assert.equal((await fetch(`${url}api/overview`, { method: 'POST' })).status, 405);
  });

  test('bad input on a cluster: an unknown resource is named, a window under two scrapes refused', async () => {
    const unknown = await weft(['viz', 'stat', 'deploy/nope', '-n', NS]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /nope/);
    const short = await weft(['viz', 'stat', 'deploy', '-n', NS, '-t', '1s']);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /WEFT_ERR_WINDOW_TOO_SHORT/);
  });

  test('the metrics API down: said so, with where to look', async () => {
    await metricsApi.stop();
    const r = await weft(['viz', 'edges', '-n', NS]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the metrics API at svc\/weft-metrics-api in weft-viz, through the API server does not answer .*kubectl -n weft-viz get pods/s);
  });

  test('without the extension: stat falls back to direct scrapes and says so; edges names viz install', async () => {
    await cluster.k(['delete', 'service', 'weft-metrics-api', '-n', 'weft-viz']);
    const stat = await weft(['viz', 'stat', 'deploy', '-n', NS, '--window', '1s']);
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stderr, /the viz extension is not installed in this cluster \(weft viz install \| kubectl apply -f -\): two direct scrapes/);
    assert.match(stat.stdout, /\nplain\s+.*0\/1/);
    const edges = await weft(['viz', 'edges', '-n', NS]);
    assert.equal(edges.code, 1);
    assert.match(edges.stderr, /viz edges --kubernetes needs the viz extension.*weft viz install \| kubectl apply -f -.*WEFT_ERR_VIZ_NOT_INSTALLED/s);
    const dashboard = await runWeft(['dashboard', '--kubernetes', '--kubeconfig', userKubeconfig]);
    assert.equal(dashboard.code, 1);
    assert.match(dashboard.stderr, /weft dashboard --kubernetes needs the viz extension/);
  });

  test('viz uninstall lists the extension for kubectl delete, and nothing of weft itself', async () => {
    const r = await runWeft(['viz', 'uninstall', '--kubeconfig', userKubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    const kinds = [...r.stdout.matchAll(/kind: (\w+)\nmetadata:\n {2}name: ([\w.-]+)/g)].map((m) => `${m[1]}/${m[2]}`);
    assert.deepEqual(kinds, [
      'ClusterRoleBinding/weft-viz-metrics-api', 'ClusterRoleBinding/weft-viz-prometheus',
      'ClusterRole/weft-viz-metrics-api', 'ClusterRole/weft-viz-prometheus', 'Namespace/weft-viz',
    ]);
    await cluster.k(['delete', '-f', '-', '--wait=false'], r.stdout);
    // The cluster-wide objects are gone at once; the namespace terminates (here never quite:
    // without a kubelet its pods are not confirmed deleted), so only it may still be listed.
    const again = await runWeft(['viz', 'uninstall', '--kubeconfig', userKubeconfig]);
    if (again.code === 0) assert.deepEqual([...again.stdout.matchAll(/kind: (\w+)/g)].map((m) => m[1]), ['Namespace']);
    else assert.match(again.stderr, /the viz extension is not installed in this cluster: nothing to uninstall/);
  });
});
