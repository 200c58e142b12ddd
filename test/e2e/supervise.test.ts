// The supervising local runtime end to end, with real processes: in network namespaces (as
// root) — replicas behind one Service with traffic reaching each, kill -9 of an app and its
// proxy (both come back, `weft ps` says so), a live `weft apply` of a new Deployment + Service
// reachable by name within seconds and a `weft delete` that leaves nothing, scaling, and a
// malformed file refused with nothing changed; and on loopback ports (no root needed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../src/control/store/local-store.js';
import { down } from '../../src/runtime/local/down.js';
import { run } from '../../src/runtime/local/exec.js';
import { freePorts } from '../../src/runtime/local/loopback.js';
import { execInNamespace, listLinks, listNamespaces, netnsSupport } from '../../src/runtime/local/netns.js';
import type { RunState, WorkloadRecord } from '../../src/runtime/local/run-state.js';
import { readRunState } from '../../src/runtime/local/run-state.js';
import { isAlive } from '../../src/runtime/local/supervisor.js';
import { up, WEFT_ROOT } from '../../src/runtime/local/up.js';
import { sleep, until } from '../helpers/http-load.js';
import { assertGone, deployment, docs, IDLE, NAMED_SERVER, service } from '../helpers/mesh-yaml.js';

const support = await netnsSupport();
const noNetns = support.ok ? false : `needs root and ip netns: ${support.reason}`;
// Network indexes of this process (3 mod 4, below 40); local-mesh.test.ts uses 40..119.
const NET = 3 + (process.pid % 9) * 4;

const weft = (dir: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> =>
  run(process.execPath, [join(WEFT_ROOT, 'bin/weft.js'), ...args, '--state-dir', dir], { timeoutMs: 60_000 });
const pod = (s: RunState, name: string): WorkloadRecord => {
  const w = s.workloads.find((x) => x.name === name);
  assert.ok(w, `pod ${name} in ${s.workloads.map((x) => x.name).join(', ')}`);
  return w;
};
const state = async (dir: string): Promise<RunState> => (await readRunState(dir)) as RunState;

/** GET http://<addr>/ from the host; the body, or undefined when it fails. */
async function hostGet(url: string): Promise<string | undefined> {
  try {
    // 3 s: a proxy's first request on a port may wait up to 1 s for its inbound policy, and CI runs loaded.
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Requests from inside a pod (its app's view: intercepted, through its proxy), with keep-alive; body counts. */
async function fromPod(netns: string, url: string, n: number): Promise<Record<string, number>> {
  const js = `const http = require('http'); const agent = new http.Agent({ keepAlive: true, maxSockets: 4 }); const out = {};
    let left = ${n}; const one = () => new Promise((res) => http.get(${JSON.stringify(url)}, { agent, timeout: 2000 }, (r) => { let b = ''; r.on('data', (c) => b += c); r.on('end', () => { const k = r.statusCode + ' ' + b.split(' ')[0]; out[k] = (out[k] || 0) + 1; res(); }); }).on('timeout', function () { this.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })); }).on('error', (e) => { out[e.code] = (out[e.code] || 0) + 1; res(); }));
    (async () => { await Promise.all([0, 1, 2, 3].map(async () => { while (left-- > 0) await one(); })); console.log(JSON.stringify(out)); agent.destroy(); })();`;
  const { stdout } = await execInNamespace(netns, process.execPath, ['-e', js]);
  return JSON.parse(stdout) as Record<string, number>;
}

describe('a supervised mesh in network namespaces', { skip: noNetns, timeout: 120_000 }, () => {
  let dir: string;
  let first: RunState;
  const figures: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-e2e-sup-'));
    await writeFile(join(dir, 'mesh.yaml'), docs(
      deployment('server', NAMED_SERVER(8080), { port: 8080, replicas: 3 }),
      deployment('client', IDLE),
      service('server', 80),
    ));
    ({ state: first } = await up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'netns', networkIndex: NET, readyTimeoutMs: 20_000, prometheus: false }));
  });

  after(async () => {
    for (const f of figures) process.stdout.write(`# ${f}\n`);
    if (!dir) return;
    const last = await readRunState(dir);
    await down(dir);
    for (const s of [first, last]) if (s) await assertGone(s);
    await rm(dir, { recursive: true, force: true });
  });

  test('replicas: 3 pods, each its own namespace and address, three ready endpoints, traffic reaches all three', async () => {
    const s = await state(dir);
    const servers = ['server-0', 'server-1', 'server-2'].map((n) => pod(s, n));
    assert.equal(new Set(servers.map((w) => w.ip)).size, 3);
    assert.equal(new Set(servers.map((w) => w.netns)).size, 3);
    assert.ok(servers.every((w) => w.deployment === 'server' && w.ready));
    const store = await LocalStore.open(join(dir, 'state'), { follow: false });
    try {
      const slices = (await store.list('EndpointSlice', 'e2e')).items.filter((x) => x.metadata.labels['kubernetes.io/service-name'] === 'server');
      assert.deepEqual(slices.flatMap((x) => x.endpoints.map((e) => [e.targetRef?.name, e.addresses[0], e.ready])).sort(),
        servers.map((w) => [w.name, w.ip, true]).sort());
    } finally {
      await store.close();
    }
    const got = await fromPod(pod(s, 'client').netns as string, 'http://server/', 90);
    figures.push(`replicas: 90 requests from client to svc/server: ${JSON.stringify(got)}`);
    assert.deepEqual(Object.keys(got).sort(), ['200 server-0', '200 server-1', '200 server-2']);
  });

  test('kill -9 of an app and its proxy: both come back, weft ps shows the restarts and the signal', async () => {
    const before = pod(await state(dir), 'server-1');
    const url = `http://${before.ip}:8080/`;
    assert.match((await hostGet(url)) ?? '', /^server-1 /);
    const t0 = Date.now();
    process.kill(before.app?.pid as number, 'SIGKILL');
    process.kill(before.proxy?.pid as number, 'SIGKILL');
    // Through the pod's restarted inbound proxy to its restarted app.
    await until('server-1 answers again', async () => /^server-1 /.test((await hostGet(url)) ?? ''), 15_000);
    figures.push(`restart after kill -9 of app and proxy: answering again after ${Date.now() - t0} ms`);
    await until('run.json shows the new processes ready', async () => {
      const w = pod(await state(dir), 'server-1');
      return w.ready === true && w.app?.pid !== before.app?.pid && w.proxy?.pid !== before.proxy?.pid;
    }, 10_000);
    const after = pod(await state(dir), 'server-1');
    assert.ok(isAlive(after.app?.pid, after.app?.startTime) && isAlive(after.proxy?.pid, after.proxy?.startTime));
    assert.equal(isAlive(before.app?.pid, before.app?.startTime), false);

    const ps = JSON.parse((await weft(dir, 'ps', '-o', 'json')).stdout) as { workloads: { name: string; restarts: number; appRestarts: number; proxyRestarts: number; lastExit?: { signal: string; process: string } }[] };
    const row = ps.workloads.find((w) => w.name === 'server-1');
    assert.deepEqual([row?.appRestarts, row?.proxyRestarts, row?.restarts, row?.lastExit?.signal], [1, 1, 2, 'SIGKILL']);
    assert.equal(ps.workloads.find((w) => w.name === 'server-0')?.restarts, 0);
    assert.match((await weft(dir, 'ps')).stdout, /^server-1 +e2e +[\d.]+ +\d+ +\d+ +running +yes +2 +(app|proxy) SIGKILL \d+s ago$/m);
    // A pod whose proxy never talked to the old server-1 reaches the restarted one through the mesh (mTLS).
    const fresh = await fromPod(pod(await state(dir), 'server-0').netns as string, `http://${after.ip}:8080/`, 3);
    assert.deepEqual(fresh, { '200 server-1': 3 });
  });

  // The client's proxy held an HTTP/2 session (over mTLS) to the killed proxy. Node 20 does not
  // report that TLS socket's close to the session; the pool now watches the socket itself (and
  // PINGs), so the dead session leaves the pool and the next request connects to the new proxy.
  test('a client proxy that talked to the killed pod reaches it again after the restart', async () => {
    const s = await state(dir);
    const got = await fromPod(pod(s, 'client').netns as string, `http://${pod(s, 'server-1').ip}:8080/`, 3);
    assert.deepEqual(got, { '200 server-1': 3 });
  });

  test('the control plane killed with SIGKILL is restarted, and weft ps shows it', async () => {
    const s = await state(dir);
    process.kill(s.control.pid, 'SIGKILL');
    await until('control restarted', async () => {
      const c = (await state(dir)).control;
      return c.pid !== s.control.pid && isAlive(c.pid, c.startTime);
    }, 10_000);
    const ps = JSON.parse((await weft(dir, 'ps', '-o', 'json')).stdout) as { components: { name: string; restarts: number; running: boolean }[] };
    assert.deepEqual(ps.components.find((c) => c.name === 'control'), { ...ps.components.find((c) => c.name === 'control'), restarts: 1, running: true });
  });

  test('live apply: a new Deployment + Service is reachable by name within seconds; delete leaves nothing behind', async () => {
    const file = join(dir, 'extra.yaml');
    await writeFile(file, docs(deployment('extra', NAMED_SERVER(9090), { port: 9090 }), service('extra', 80)));
    const client = pod(await state(dir), 'client');
    const t0 = Date.now();
    const applied = await weft(dir, 'apply', '-f', file);
    assert.deepEqual(applied.stdout.trim().split('\n'), ['deployment.apps/extra -n e2e created', 'service/extra -n e2e created']);
    await until('extra answers from the client pod', async () => {
      const r = await execInNamespace(client.netns as string, 'curl', ['-sS', '-m', '2', 'http://extra/']).catch(() => ({ stdout: '' }));
      return /^extra /.test(r.stdout);
    }, 15_000);
    figures.push(`live apply of a Deployment + Service: reachable by name from another pod ${Date.now() - t0} ms after \`weft apply\` started (${applied.stdout.trim().split('\n').length} lines)`);
    const s = await state(dir);
    const extra = pod(s, 'extra');
    const svc = s.services?.find((x) => x.name === 'extra');
    assert.ok(svc && svc.clusterIP.startsWith(`10.77.${128 + NET}.`), JSON.stringify(svc));
    const hosts = await readFile(`/etc/netns/${client.netns}/hosts`, 'utf8');
    assert.match(hosts, new RegExp(`^${svc.clusterIP.replace(/\./g, '\\.')}\\textra\\.e2e\\.svc\\.cluster\\.local .* extra$`, 'm'));

    const deleted = await weft(dir, 'delete', '-f', file);
    assert.deepEqual(deleted.stdout.trim().split('\n'), ['deployment.apps/extra -n e2e deleted', 'service/extra -n e2e deleted']);
    const after = await state(dir);
    assert.equal(after.workloads.some((w) => w.name === 'extra'), false);
    assert.equal(after.services?.some((x) => x.name === 'extra'), false);
    assert.equal((await listNamespaces()).includes(extra.netns as string), false);
    assert.equal((await listLinks()).includes(extra.hostIf as string), false);
    assert.equal(existsSync(`/etc/netns/${extra.netns}`), false);
    for (const p of [extra.app, extra.proxy]) assert.equal(isAlive(p?.pid, p?.startTime), false);
    assert.doesNotMatch(await readFile(`/etc/netns/${client.netns}/hosts`, 'utf8'), /extra/);
    const rules = await execInNamespace(client.netns as string, 'iptables-save', ['-t', 'nat']).catch(async () => execInNamespace(client.netns as string, 'iptables-nft-save', ['-t', 'nat']));
    assert.doesNotMatch(rules.stdout, new RegExp(svc.clusterIP.replace(/\./g, '\\.')));
    const store = await LocalStore.open(join(dir, 'state'), { follow: false });
    try {
      assert.equal(await store.get('Service', 'e2e', 'extra'), undefined);
      assert.deepEqual((await store.list('EndpointSlice', 'e2e')).items.filter((x) => x.metadata.name.startsWith('extra')), []);
    } finally {
      await store.close();
    }
  });

  test('scaling 3 -> 2 keeps the pods that stay and removes the third', async () => {
    const s = await state(dir);
    const file = join(dir, 'scale.yaml');
    await writeFile(file, deployment('server', NAMED_SERVER(8080), { port: 8080, replicas: 2 }));
    assert.match((await weft(dir, 'apply', '-f', file)).stdout, /deployment\.apps\/server -n e2e configured/);
    const after = await state(dir);
    assert.deepEqual(after.workloads.filter((w) => w.deployment === 'server').map((w) => w.name), ['server-0', 'server-1']);
    for (const n of ['server-0', 'server-1']) assert.equal(pod(after, n).app?.pid, pod(s, n).app?.pid, `${n} kept`);
    assert.equal((await listNamespaces()).includes(pod(s, 'server-2').netns as string), false);
  });

  test('a malformed mesh file applied live is refused with its error, and nothing changes', async () => {
    const s = await state(dir);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, deployment('broken', IDLE, { port: 99999 }));
    await assert.rejects(weft(dir, 'apply', '-f', bad), (err: Error) => {
      assert.match(err.message, /bad\.yaml: Deployment e2e\/broken: spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: .*\(WEFT_ERR_INVALID_MESH_FILE\)/);
      return true;
    });
    await writeFile(bad, deployment('server-1', IDLE));
    await assert.rejects(weft(dir, 'apply', '-f', bad), /the same name as pod 1 of Deployment server/);
    const now = await state(dir);
    assert.deepEqual(now.workloads.map((w) => [w.name, w.app?.pid]), s.workloads.map((w) => [w.name, w.app?.pid]));
  });
});

describe('a supervised mesh on loopback ports', { timeout: 90_000 }, () => {
  test('kill -9 brings app and proxy back; a Service applied live is reachable, deleted it is gone; replicas of a server are refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-suplo-'));
    const [port, extraPort] = await freePorts(2);
    await writeFile(join(dir, 'mesh.yaml'), docs(deployment('server', NAMED_SERVER(port as number), { port }), service('server', 80)));
    let s: RunState | undefined;
    try {
      ({ state: s } = await up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'loopback', readyTimeoutMs: 20_000, prometheus: false }));
      const w = pod(s, 'server');
      const url = `http://${w.inboundAddr}/`;
      await until('server answers through its proxy', async () => /^server /.test((await hostGet(url)) ?? ''), 10_000);
      const t0 = Date.now();
      process.kill(w.app?.pid as number, 'SIGKILL');
      process.kill(w.proxy?.pid as number, 'SIGKILL');
      await sleep(100);
      await until('server answers again through its proxy', async () => /^server /.test((await hostGet(url)) ?? ''), 15_000);
      process.stdout.write(`# loopback: restart after kill -9 of app and proxy: answering again after ${Date.now() - t0} ms\n`);
      await until('restarts recorded', async () => {
        const x = pod(await state(dir), 'server');
        return x.app?.restarts === 1 && x.proxy?.restarts === 1 && x.app.lastExit?.signal === 'SIGKILL';
      }, 10_000);

      const file = join(dir, 'extra.yaml');
      await writeFile(file, docs(deployment('extra', NAMED_SERVER(extraPort as number), { port: extraPort }), service('extra', 80)));
      assert.match((await weft(dir, 'apply', '-f', file)).stdout, /deployment\.apps\/extra -n e2e created/);
      const extra = pod(await state(dir), 'extra');
      assert.match((await hostGet(`http://${extra.inboundAddr}/`)) ?? '', /^extra /);
      await weft(dir, 'delete', '-f', file);
      assert.equal((await state(dir)).workloads.some((x) => x.name === 'extra'), false);
      assert.equal(await hostGet(`http://${extra.inboundAddr}/`), undefined);
      for (const p of [extra.app, extra.proxy]) assert.equal(isAlive(p?.pid, p?.startTime), false);

      await writeFile(file, deployment('server', NAMED_SERVER(port as number), { port, replicas: 2 }));
      await assert.rejects(weft(dir, 'apply', '-f', file), /replicas would all listen on port \d+ in loopback mode.*WEFT_ERR_PORT_CONFLICT/s);
      assert.deepEqual((await state(dir)).workloads.map((x) => x.name), ['server']);
    } finally {
      const last = await readRunState(dir);
      await down(dir);
      for (const x of [s, last]) if (x) await assertGone(x);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
