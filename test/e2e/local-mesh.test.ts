// `weft up` end to end, as root in namespaces this test makes: a plain curl from one pod to
// another service's name goes through both proxies; a server-speaks-first TCP protocol works;
// a skip port bypasses the proxy; a crashed run is cleaned up; and loopback mode (no
// namespaces) meshes two workloads too. (The demo: demo-viz.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down } from '../../src/runtime/local/down.js';
import { run } from '../../src/runtime/local/exec.js';
import { freePorts } from '../../src/runtime/local/loopback.js';
import { execInNamespace, listLinks, listNamespaces, netnsSupport } from '../../src/runtime/local/netns.js';
import { networkNames } from '../../src/runtime/local/plan.js';
import type { RunState } from '../../src/runtime/local/run-state.js';
import { WEFT_ROOT, up } from '../../src/runtime/local/up.js';
import { isAlive } from '../../src/runtime/local/supervisor.js';
import type { Sample } from '../../src/viz/prom-text.js';
import { scrape } from '../../src/viz/scrape.js';

const support = await netnsSupport();
const noNetns = support.ok ? false : `needs root and ip netns: ${support.reason}`;
// Network indexes of this process (bridge weft<n>, 10.77.<n>.0/24); others may run beside us.
const NET = 40 + (process.pid % 40) * 2;

const node = (js: string): string => `[${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(js)}]`;
function deployment(name: string, command: string, port: number | undefined, annotations = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: e2e }
spec:
  template:
    metadata:
      labels: { app: ${name} }
      ${annotations ? `annotations: { ${annotations} }` : ''}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: main
          command: ${command}
          ${port ? `ports: [{ name: main, containerPort: ${port} }]` : ''}
`;
}
function service(name: string, port: number, target: number | string = 'main'): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: e2e }
spec:
  selector: { app: ${name} }
  ports: [{ name: main, port: ${port}, targetPort: ${JSON.stringify(target)} }]
`;
}

const HTTP_SERVER = (port: number, body: string): string =>
  node(`require('http').createServer((q, s) => s.end(${JSON.stringify(body)})).listen(${port})`);
const IDLE = node('setInterval(() => {}, 1e9)');

function sum(samples: Sample[] | undefined, name: string, pick: (l: Record<string, string>) => boolean): number {
  return (samples ?? []).filter((s) => s.name === name && pick(s.labels as Record<string, string>)).reduce((n, s) => n + s.value, 0);
}

/** Asserts `up` left nothing: namespaces, links, hosts files, processes. */
async function assertGone(state: RunState): Promise<void> {
  const net = state.networkIndex === undefined ? undefined : networkNames(state.networkIndex);
  if (net) {
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(net.netnsPrefix)), []);
    assert.deepEqual((await listLinks()).filter((l) => l.startsWith(net.vethPrefix) || l === net.bridge), []);
    for (const w of state.workloads) assert.equal(existsSync(`/etc/netns/${w.netns}`), false);
    // weft's rules live only in the pods' namespaces: nothing of ours in the host's nat table.
    const { stdout } = await run('iptables-save', ['-t', 'nat']);
    assert.doesNotMatch(stdout, /WEFT_/);
  }
  for (const pid of [state.control.pid, ...state.workloads.flatMap((w) => [w.app?.pid, w.proxy?.pid])]) {
    assert.equal(isAlive(pid), false, `pid ${pid} still running`);
  }
  assert.equal(existsSync(state.runDir), false);
}

describe('weft up in network namespaces', { skip: noNetns, timeout: 60_000 }, () => {
  let dir: string;
  let state: RunState;
  const admin = (name: string): string => state.workloads.find((w) => w.name === name)?.adminAddr as string;
  const netnsOf = (name: string): string => state.workloads.find((w) => w.name === name)?.netns as string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-e2e-'));
    const mesh = [
      deployment('server', HTTP_SERVER(8080, 'hello from server\n'), 8080),
      deployment('banner', node(`require('net').createServer((c) => { c.write('220 banner\\n'); c.on('data', (d) => c.end('echo:' + d)); }).listen(5432)`), 5432),
      deployment('skipsrv', HTTP_SERVER(9090, 'skipped\n'), 9090),
      deployment('client', IDLE, undefined, '"config.weft.io/skip-outbound-ports": "9090"'),
      service('server', 80), service('banner', 5432), service('skipsrv', 9090),
    ].join('---\n');
    await writeFile(join(dir, 'mesh.yaml'), mesh);
    ({ state } = await up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'netns', networkIndex: NET, readyTimeoutMs: 20_000, prometheus: false }));
  });

  after(async () => {
    if (!dir) return;
    await down(dir);
    if (state) await assertGone(state);
    await rm(dir, { recursive: true, force: true });
  });

  test('curl from a pod to a service name goes through both proxies', async () => {
    const { stdout } = await execInNamespace(netnsOf('client'), 'curl', ['-sS', '-m', '5', 'http://server/']);
    assert.equal(stdout, 'hello from server\n');
    const client = await scrape(admin('client'));
    const server = await scrape(admin('server'));
    assert.ok(sum(client, 'request_total', (l) => l['direction'] === 'outbound' && /^server(:80)?$/.test(l['authority'] ?? '')) >= 1, 'outbound at the client proxy');
    const inbound = (server ?? []).filter((s) => s.name === 'request_total' && s.labels['direction'] === 'inbound');
    assert.ok(inbound.reduce((n, s) => n + s.value, 0) >= 1, 'inbound at the server proxy');
    // mTLS between the proxies: the client's proxy took the server's identity from discovery.
    assert.ok(
      inbound.some((s) => s.labels['tls'] === 'true' && s.labels['client_id'] === 'spiffe://cluster.local/ns/e2e/sa/client'),
      `inbound requests not mTLS: ${JSON.stringify(inbound.map((s) => s.labels))}`,
    );
    assert.ok(sum(client, 'request_total', (l) => l['direction'] === 'outbound' && l['tls'] === 'true' && l['server_id'] === 'spiffe://cluster.local/ns/e2e/sa/server') >= 1);
  });

  test('a server-speaks-first TCP protocol works through the proxies', async () => {
    const js = "const s = require('net').connect(5432, 'banner'); let b = ''; s.on('data', (d) => { b += d; if (b.includes('\\n') && !b.includes('echo')) s.write('hi'); }); s.on('end', () => process.stdout.write(b));";
    const { stdout } = await execInNamespace(netnsOf('client'), process.execPath, ['-e', js]);
    assert.equal(stdout, '220 banner\necho:hi');
    const client = await scrape(admin('client'));
    assert.ok(sum(client, 'tcp_open_total', (l) => l['direction'] === 'outbound' && (l['target_addr'] ?? '').endsWith(':5432')) >= 1);
  });

  test('traffic to a skip port bypasses the proxy', async () => {
    const { stdout } = await execInNamespace(netnsOf('client'), 'curl', ['-sS', '-m', '5', 'http://skipsrv:9090/']);
    assert.equal(stdout, 'skipped\n');
    const client = await scrape(admin('client'));
    assert.equal(sum(client, 'tcp_open_total', (l) => l['direction'] === 'outbound' && (l['target_addr'] ?? '').endsWith(':9090')), 0);
    assert.equal(sum(client, 'request_total', (l) => l['direction'] === 'outbound' && (l['authority'] ?? '').startsWith('skipsrv')), 0);
  });
});

describe('weft up after a crash', { skip: noNetns, timeout: 60_000 }, () => {
  test('a run whose supervisor and control plane died is cleaned up by the next up, which then works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-crash-'));
    const meshFile = join(dir, 'mesh.yaml');
    await writeFile(meshFile, [deployment('server', HTTP_SERVER(8080, 'again\n'), 8080), service('server', 80)].join('---\n'));
    let second: RunState | undefined;
    try {
      const { state: first } = await up({ meshFile, stateDir: dir, mode: 'netns', networkIndex: NET + 2, prometheus: false });
      // The supervisor goes first (it would restart the control plane), then the control plane.
      process.kill(first.supervisor?.pid as number, 'SIGKILL');
      process.kill(first.control.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      ({ state: second } = await up({ meshFile, stateDir: dir, mode: 'netns', networkIndex: NET + 2, prometheus: false }));
      for (const w of first.workloads) {
        assert.equal(isAlive(w.app?.pid), false);
        assert.equal(isAlive(w.proxy?.pid), false);
      }
      const ip = second.workloads[0]?.ip as string;
      const res = await fetch(`http://${ip}:8080/`);
      assert.equal(await res.text(), 'again\n');
    } finally {
      await down(dir);
      if (second) await assertGone(second);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('weft up --loopback (no namespaces, explicit proxy)', { timeout: 60_000 }, () => {
  test('a client reaches a service through its proxy and the server proxy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-lo-'));
    const [port] = await freePorts(1);
    // The client asks for http://server:80/ through HTTP_PROXY, as any HTTP client would.
    const client = "const http = require('http'); const p = new URL(process.env.HTTP_PROXY); const t = process.env.TARGET;" +
      "setInterval(() => http.get({ host: p.hostname, port: p.port, path: 'http://' + t + '/' }, (r) => r.resume()).on('error', () => {}), 100);";
    const mesh = [
      deployment('server', HTTP_SERVER(port as number, 'ok'), port),
      deployment('client', node(client), undefined).replace('- name: main', '- name: main\n          env: [{ name: TARGET, value: "server:80" }]'),
      service('server', 80),
    ].join('---\n');
    await writeFile(join(dir, 'mesh.yaml'), mesh);
    let state: RunState | undefined;
    try {
      const r = await up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'loopback', readyTimeoutMs: 20_000, prometheus: false });
      state = r.state;
      assert.equal(r.mode, 'loopback');
      const adminOf = (n: string): string => state?.workloads.find((w) => w.name === n)?.adminAddr as string;
      let out = 0;
      let inb = 0;
      for (let i = 0; i < 50 && (out === 0 || inb === 0); i++) {
        await new Promise((res) => setTimeout(res, 100));
        out = sum(await scrape(adminOf('client')), 'request_total', (l) => l['direction'] === 'outbound');
        inb = sum(await scrape(adminOf('server')), 'request_total', (l) => l['direction'] === 'inbound');
      }
      assert.ok(out > 0, 'outbound requests at the client proxy');
      assert.ok(inb > 0, 'inbound requests at the server proxy');
    } finally {
      await down(dir);
      if (state) await assertGone(state);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a proxy that cannot start fails up with an error naming the workload and its log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-lo-'));
    const mesh = deployment('broken', IDLE, undefined).replace('- name: main', '- name: weft-proxy\n          env: [{ name: WEFT_PROXY_LOG_LEVEL, value: loud }]\n        - name: main');
    await writeFile(join(dir, 'mesh.yaml'), mesh);
    try {
      await assert.rejects(up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'loopback', readyTimeoutMs: 10_000, prometheus: false }), (err: Error) => {
        assert.match(err.message, /^workload broken: proxy: the proxy exited \(log .*broken\.proxy\.log\):\n.*WEFT_PROXY_LOG_LEVEL=loud/s);
        return true;
      });
    } finally {
      await down(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an app port already taken on the host (another loopback mesh) fails up before anything starts, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-lo-'));
    const [port] = await freePorts(1);
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    await writeFile(join(dir, 'mesh.yaml'), [deployment('server', HTTP_SERVER(port as number, 'ok'), port), service('server', 80)].join('---\n'));
    try {
      await assert.rejects(up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'loopback', readyTimeoutMs: 10_000, prometheus: false }), (err: Error) => {
        assert.match(err.message, new RegExp(`workload server: port ${port} is already in use on this host.*another weft mesh`));
        return true;
      });
      // No pod of the mesh was started: no proxy log, no app log.
      assert.deepEqual((await readdir(join(dir, 'logs')).catch(() => [])).filter((f) => f.startsWith('server')), []);
    } finally {
      holder.close();
      await down(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the CLI without Prometheus: up, ps, logs, viz stat from direct scrapes (and says so), down', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-cli-'));
    const [port] = await freePorts(1);
    await writeFile(join(dir, 'mesh.yaml'), [deployment('server', HTTP_SERVER(port as number, 'ok'), port), service('server', 80)].join('---\n'));
    const weft = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, [join(WEFT_ROOT, 'bin/weft.js'), ...args, '--state-dir', dir], { timeoutMs: 30_000 });
    try {
      const upOut = (await weft('up', '-f', join(dir, 'mesh.yaml'), '--loopback', '--no-prometheus')).stdout;
      assert.match(upOut, /^mode: loopback/m);
      assert.match(upOut, /^prometheus: off/m);
      assert.match(upOut, /^server +e2e +127\.0\.0\.1 +\d+ +\d+ +running +yes +0 +-$/m);
      const ps = JSON.parse((await weft('ps', '-o', 'json')).stdout) as { mode: string; workloads: { name: string; ready: boolean }[]; components: { name: string; running: boolean }[] };
      assert.deepEqual([ps.mode, ps.workloads.map((w) => [w.name, w.ready])], ['loopback', [['server', true]]]);
      assert.deepEqual(ps.components.map((c) => [c.name, c.running]), [['supervisor', true], ['control', true]]);
      assert.match((await weft('logs', 'server', '--proxy')).stdout, /proxy listening/);
      const stat = await weft('viz', 'stat', '--window', '200ms');
      assert.match(stat.stdout, /^server +e2e +1\/1 /m);
      assert.match(stat.stderr, /prometheus is off in this mesh \(weft up --no-prometheus\): two direct scrapes of the proxies, 200ms apart/);
      await assert.rejects(weft('viz', 'edges'), (err: Error) => /viz edges needs Prometheus, and this mesh was started with --no-prometheus.*WEFT_ERR_NO_PROMETHEUS/s.test(err.message));
      assert.match((await weft('down')).stdout, /stopped 3 process\(es\)/);
      assert.match((await weft('ps')).stdout, /no mesh is up/);
    } finally {
      await down(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
