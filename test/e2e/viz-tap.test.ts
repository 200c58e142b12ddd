// `weft viz tap` and `weft viz top` against a real local mesh (loopback mode, no Prometheus):
// the control plane's tap component observes the api's proxy over mTLS with its own identity,
// and the CLI shows the requests this test makes — with the client's verified identity — as
// Linkerd-like lines, as JSON, and as a live table in a real terminal (tmux).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TapEventJson } from '../../src/control/tap/event-json.js';
import { parse as parseYaml } from 'yaml';
import { validateResource } from '../../src/control/store/validate.js';
import { down } from '../../src/runtime/local/down.js';
import { loadCaDirectory } from '../../src/control/identity/store.js';
import { JoinTokens } from '../../src/control/identity/tokens.js';
import { tapStream } from '../../src/control/tap/client.js';
import { observeProxy } from '../../src/control/tap/proxy-client.js';
import { formatSpiffe, workloadId } from '../../src/lib/spiffe.js';
import { IdentityClient } from '../../src/proxy/identity/client.js';
import { run } from '../../src/runtime/local/exec.js';
import { freePorts } from '../../src/runtime/local/loopback.js';
import type { RunState, WorkloadRecord } from '../../src/runtime/local/run-state.js';
import { up, WEFT_ROOT } from '../../src/runtime/local/up.js';
import { until } from '../helpers/http-load.js';
import { deployment, docs, IDLE, NAMED_SERVER, service } from '../helpers/mesh-yaml.js';

const WEFT = join(WEFT_ROOT, 'bin/weft.js');
const CLIENT_ID = 'spiffe://cluster.local/ns/e2e/sa/client';

function workload(state: RunState, name: string): WorkloadRecord {
  const w = state.workloads.find((x) => x.name.startsWith(name));
  assert.ok(w, name);
  return w;
}

/** GETs through the client's proxy (its HTTP_PROXY in loopback mode) to the api. */
async function send(state: RunState, paths: readonly string[]): Promise<number[]> {
  const proxy = workload(state, 'client').outboundAddr as string;
  const api = workload(state, 'api').inboundAddr as string;
  const [host, port] = proxy.split(':');
  const statuses: number[] = [];
  for (const p of paths) {
    statuses.push(await new Promise<number>((resolve, reject) => {
      http.get({ host, port: Number(port), path: `http://${api}${p}` }, (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      }).on('error', reject);
    }));
  }
  return statuses;
}

/** Open taps on the api's proxy (from its admin /metrics). */
async function openTaps(state: RunState): Promise<number> {
  const text = await (await fetch(`http://${workload(state, 'api').adminAddr}/metrics`)).text();
  return Number(/^tap_active_streams (\d+)/m.exec(text)?.[1] ?? 0);
}

function startCli(args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [WEFT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

describe('weft viz tap and top on a loopback mesh', { timeout: 120_000 }, () => {
  let dir: string;
  let state: RunState;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-e2e-tap-'));
    const [port] = await freePorts(1);
    await writeFile(join(dir, 'mesh.yaml'), docs(deployment('api', NAMED_SERVER(port as number), { port }), deployment('client', IDLE), service('api', 80)));
    ({ state } = await up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode: 'loopback', readyTimeoutMs: 20_000, prometheus: false }));
    assert.ok(state.control.tapApiAddr, 'the control plane serves the tap API');
  });
  after(async () => {
    if (dir) {
      await down(dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('tap -o json shows the requests with the verified client identity', async () => {
    const cli = startCli(['viz', 'tap', 'deploy/api', '-n', 'e2e', '-o', 'json', '--path', '/ok', '--state-dir', dir]);
    try {
      await until('the tap is open on the api proxy', async () => (await openTaps(state)) === 1, 20_000);
      assert.deepEqual(await send(state, ['/ok', '/fail', '/ok']), [200, 500, 200]);
      await until('six events', async () => cli.out().trim().split('\n').filter((l) => l.startsWith('{')).length >= 6, 10_000);
    } finally {
      cli.child.kill('SIGINT');
    }
    assert.equal(await cli.exited, 0, cli.out());
    const events = cli.out().trim().split('\n').map((l) => JSON.parse(l) as TapEventJson);
    assert.deepEqual(events.map((e) => e.type), ['requestInit', 'responseInit', 'responseEnd', 'requestInit', 'responseInit', 'responseEnd']);
    const req = events[0] as TapEventJson;
    assert.equal(req.direction, 'inbound');
    assert.equal(req.path, '/ok');
    assert.equal(req.tls, true);
    assert.equal(req.sourceLabels.client_id, CLIENT_ID);
    assert.equal(req.destinationResource, `pod/${workload(state, 'api').name}`);
    assert.equal(req.sourceResource, `pod/${workload(state, 'client').name}`, 'the client named by its identity (its address is an ephemeral loopback port)');
    assert.equal(events[1]?.status, 200);
    assert.ok((events[2]?.responseBytes ?? 0) > 0);
    await until('the tap closed on the proxy', async () => (await openTaps(state)) === 0, 10_000);
  });

  test('tap lines look like Linkerd\'s', async () => {
    const cli = startCli(['viz', 'tap', 'deploy/api', '-n', 'e2e', '--method', 'GET', '--state-dir', dir]);
    try {
      await until('the tap is open', async () => (await openTaps(state)) === 1, 20_000);
      await send(state, ['/slow']);
      await until('three lines', async () => cli.out().trim().split('\n').length >= 3, 10_000);
    } finally {
      cli.child.kill('SIGINT');
    }
    await cli.exited;
    const [req, rsp, end] = cli.out().trim().split('\n');
    process.stdout.write(`# ${req}\n# ${rsp}\n# ${end}\n`);
    assert.match(req ?? '', /^req id=\S+ proxy=in {2}src=127\.0\.0\.1:\d+ dst=127\.0\.0\.1:\d+ tls=true :method=GET :authority=\S+ :path=\/slow$/);
    assert.match(rsp ?? '', /^rsp id=\S+ proxy=in {2}.* tls=true :status=200 latency=\d+µs$/);
    const latency = Number(/latency=(\d+)µs/.exec(rsp ?? '')?.[1]);
    assert.ok(latency >= 100_000, `/slow answers after 120 ms: latency ${latency}µs`);
    assert.match(end ?? '', /^end id=\S+ proxy=in {2}.* duration=\d+µs response-length=\d+B$/);
  });

  test('profile --tap writes a valid ServiceProfile with the observed routes', async () => {
    const cli = startCli(['viz', 'profile', 'api', '-n', 'e2e', '--tap', 'deploy/api', '--tap-duration', '4s', '--state-dir', dir]);
    await until('the tap is open', async () => (await openTaps(state)) === 1, 20_000);
    await send(state, ['/ok', '/books/1?x=1', '/fail', '/ok']);
    assert.equal(await cli.exited, 0, cli.out());
    const doc = parseYaml(cli.out()) as { metadata: { name: string }; spec: { routes: { name: string; condition: { method: string; pathRegex: string } }[] } };
    process.stdout.write(cli.out().split('\n').map((l) => `# ${l}`).join('\n') + '\n');
    assert.equal(doc.metadata.name, 'api.e2e.svc.cluster.local');
    assert.deepEqual(doc.spec.routes.map((r) => [r.name, r.condition.method, r.condition.pathRegex]), [
      ['GET /books/1', 'GET', '/books/1'], ['GET /fail', 'GET', '/fail'], ['GET /ok', 'GET', '/ok'],
    ]);
    validateResource(doc, '0', 'e2e');
  });

  test('weft tap alone serves the same API', async () => {
    const cli = startCli(['tap', '--listen', '127.0.0.1:0', '--state-dir', dir]);
    try {
      await until('tap ready', async () => /tap ready: API port \d+/.test(cli.out()), 20_000);
      const port = Number(/API port (\d+)/.exec(cli.out())?.[1]);
      const events: TapEventJson[] = [];
      const s = tapStream(`127.0.0.1:${port}`, { resource: 'deploy/api', namespace: 'e2e' }, { event: (e) => events.push(e) });
      await until('the tap is open', async () => (await openTaps(state)) === 1, 20_000);
      await send(state, ['/ok']);
      await until('three events', async () => events.length >= 3, 10_000);
      s.close();
      assert.equal(events[0]?.sourceLabels.client_id, CLIENT_ID);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  test("a proxy refuses tap to an identity the mesh's CA issued to someone else", async () => {
    const ca = await loadCaDirectory(join(dir, 'identity'));
    const id = workloadId('e2e', 'client', ca.trustDomain);
    const client = new IdentityClient({
      identity: id, token: () => Buffer.from(new JoinTokens(ca.joinSecret).issue(id)), trustAnchorsPem: ca.anchorCert.toString('pem'), address: state.control.identityAddr,
    });
    client.start();
    // The client's renewal timer is unref'd (it never keeps a process up): hold the loop here.
    const keep = setInterval(() => {}, 1000);
    try {
      await client.ready;
      const api = workload(state, 'api');
      const h = observeProxy({ addr: api.tapAddr as string, identity: formatSpiffe(workloadId('e2e', 'api', ca.trustDomain)) }, client.secureContext(), { limit: 1 });
      const err = await new Promise<{ code?: number; details?: string }>((resolve) => h.stream.on('error', resolve));
      assert.equal(err.code, 7 /* PERMISSION_DENIED */);
      assert.match(err.details ?? '', /served only to spiffe:\/\/cluster\.local\/ns\/weft-viz\/sa\/tap; client is spiffe:\/\/cluster\.local\/ns\/e2e\/sa\/client/);
    } finally {
      clearInterval(keep);
      client.close();
    }
  });

  test('an unknown resource names the ones that exist', async () => {
    await assert.rejects(run(process.execPath, [WEFT, 'viz', 'tap', 'deploy/nope', '-n', 'e2e', '--state-dir', dir]), /no deployment "nope" in namespace e2e \(have: api, client\)/);
  });

  test('top draws a live table in a real terminal and quits on q', async () => {
    const session = `weft-tap-top-${process.pid}`;
    await run('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '30', `${process.execPath} ${WEFT} viz top deploy/api -n e2e --refresh 200 --state-dir ${dir}; sleep 30`]);
    try {
      await until('the tap is open', async () => (await openTaps(state)) === 1, 20_000);
      await send(state, ['/ok', '/ok', '/ok', '/fail']);
      let pane = '';
      await until('the table shows the traffic', async () => {
        pane = (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;
        return /\/ok\s+3\s/.test(pane) && /\/fail\s+1\s/.test(pane);
      }, 10_000);
      process.stdout.write(pane.split('\n').filter((l) => l.trim()).map((l) => `# ${l}`).join('\n') + '\n');
      assert.match(pane, /Source\s+Destination\s+Method\s+Path\s+Count\s+Best\s+Worst\s+Last\s+Success Rate/);
      assert.match(pane, /\/fail\s+1\s+.*0\.00%/);
      assert.match(pane, /\/ok\s+3\s+.*100\.00%/);
      // Both ends named as in namespace mode, not as loopback addresses: the client by its
      // verified identity, the api as the tapped pod.
      const row = pane.split('\n').find((l) => /\/ok\s+3\s/.test(l)) ?? '';
      assert.match(row, new RegExp(`^\\s*pod/${workload(state, 'client').name}\\s+pod/${workload(state, 'api').name}\\s+GET`), row);
      assert.doesNotMatch(pane, /127\.0\.0\.1:/);
      await run('tmux', ['send-keys', '-t', session, 'q']);
      await until('top quit: its tap is closed', async () => (await openTaps(state)) === 0, 10_000);
      // The proxy sees the tap close as top starts to exit; the screen comes back a moment later
      // (top's last write, then tmux redrawing), so the pane is read until it has.
      let after = '';
      await until('top gave the screen back', async () => {
        after = (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;
        return !/press q to quit/.test(after);
      }, 5_000).catch(() => undefined);
      assert.doesNotMatch(after, /press q to quit/, 'the alternate screen is gone');
    } finally {
      await run('tmux', ['kill-session', '-t', session]).catch(() => undefined);
    }
  });
});
