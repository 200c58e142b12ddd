// A mesh for `weft viz` tests whose traffic the test sends and counts itself: deploy/api (an
// HTTP server: /fail answers 500, /slow after 120 ms) behind svc/api with a ServiceProfile
// (routes GET /ok and GET /fail), and deploy/client, whose app's view (its proxy) the test
// uses to send. Prometheus scrapes every second.
import { runWithTest } from './reaper.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down } from '../../src/runtime/local/down.js';
import { run } from '../../src/runtime/local/exec.js';
import { freePorts } from '../../src/runtime/local/loopback.js';
import { execInNamespace } from '../../src/runtime/local/netns.js';
import type { RunMode, RunState } from '../../src/runtime/local/run-state.js';
import { readRunState } from '../../src/runtime/local/run-state.js';
import { up, WEFT_ROOT } from '../../src/runtime/local/up.js';
import { until } from './http-load.js';
import { assertGone, deployment, docs, IDLE, NAMED_SERVER, profile, service } from './mesh-yaml.js';

/** What the test sends after the warm-up. */
export const SENT = Object.freeze({ ok: 60, fail: 20, slow: 20, total: 100 });
// The tests take a while (each a CLI process or several): the window holds the traffic through
// all of them, with room for a loaded machine. The series start inside it, at least 20 s before
// the queries: increase() extrapolates them by about a scrape interval in all (≈ 1.5/20 here).
export const WINDOW = '1m';
export const WINDOW_S = 60;
/** Within Prometheus' extrapolation and a little. */
export const near = (got: number | undefined, want: number, tol = 0.15): boolean => got !== undefined && Math.abs(got - want) <= want * tol + 0.5;
const PATHS = ['/ok', '/ok', '/ok', '/fail', '/slow'];

export interface VizScenario {
  readonly dir: string;
  readonly state: RunState;
  /** `weft <args> --state-dir <dir>`; stdout. */
  weft(...args: string[]): Promise<string>;
  /** `weft <args> -o json`, parsed. */
  json<T>(...args: string[]): Promise<T>;
  close(): Promise<void>;
}

/** Requests from deploy/client's point of view (paths cycling /ok /ok /ok /fail /slow); status counts. */
async function send(state: RunState, n: number): Promise<Record<string, number>> {
  const client = state.workloads.find((w) => w.name === 'client');
  const api = state.workloads.find((w) => w.name === 'api');
  assert.ok(client && api);
  // Namespace mode: the app's own view, by Service name, intercepted. Loopback: through the
  // client's proxy as its HTTP_PROXY, to the address the runtime gives apps for svc/api.
  const [base, proxy] = state.mode === 'netns' ? ['http://api', undefined] : [`http://${api.inboundAddr}`, client.outboundAddr];
  const js = `const http = require('http'); const agent = new http.Agent({ keepAlive: true, maxSockets: 4 }); const out = {}; const paths = ${JSON.stringify(PATHS)};
    const proxy = ${JSON.stringify(proxy ?? null)}; let next = 0;
    const one = (i) => new Promise((res) => { const url = ${JSON.stringify(base)} + paths[i % paths.length];
      const o = proxy ? { host: proxy.split(':')[0], port: Number(proxy.split(':')[1]), path: url, agent, timeout: 5000 } : { agent, timeout: 5000 };
      (proxy ? http.get(o) : http.get(url, o)).on('response', (r) => { r.resume(); r.on('end', () => { out[r.statusCode] = (out[r.statusCode] || 0) + 1; res(); }); })
        .on('timeout', function () { this.destroy(new Error('timeout')); }).on('error', (e) => { out[e.message] = (out[e.message] || 0) + 1; res(); }); });
    (async () => { await Promise.all([0, 1, 2, 3].map(async () => { while (next < ${n}) await one(next++); })); console.log(JSON.stringify(out)); agent.destroy(); })();`;
  const { stdout } = state.mode === 'netns' ? await execInNamespace(client.netns as string, process.execPath, ['-e', js]) : await run(process.execPath, ['-e', js]);
  return JSON.parse(stdout) as Record<string, number>;
}

async function promValue(url: string, q: string): Promise<number> {
  const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
  return Number(r.data.result[0]?.value[1] ?? 0);
}

export async function startVizScenario(mode: RunMode, networkIndex: number): Promise<VizScenario> {
  const dir = await mkdtemp(join(tmpdir(), `weft-e2e-viz-${mode}-`));
  const [port] = mode === 'netns' ? [8080] : await freePorts(1);
  await writeFile(join(dir, 'mesh.yaml'), docs(
    deployment('api', NAMED_SERVER(port as number), { port }),
    deployment('client', IDLE),
    service('api', 80),
    profile('api', [{ name: 'GET /ok', path: '/ok' }, { name: 'GET /fail', path: '/fail' }]),
  ));
  let state: RunState | undefined;
  // If the runner kills this file (its time limit), the detached reaper still takes the mesh down.
  const reaped = runWithTest(`${process.execPath} ${join(WEFT_ROOT, 'bin/weft.js')} down --state-dir ${dir}`);
  const close = async (): Promise<void> => {
    const last = await readRunState(dir);
    await down(dir);
    reaped.forget();
    for (const s of [state, last]) if (s) await assertGone(s);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    ({ state } = await up({ meshFile: join(dir, 'mesh.yaml'), stateDir: dir, mode, networkIndex, readyTimeoutMs: 20_000, scrapeIntervalSeconds: 1 }));
    const prom = state.prometheus?.url as string;
    // Warm-up: every label set exists (a series' first count is never part of an increase()),
    // and has existed longer than the window when the test asks.
    assert.deepEqual(await send(state, PATHS.length), { 200: 4, 500: 1 });
    await until('series older than the window', async () =>
      (await promValue(prom, 'count_over_time(pod:response_total:sum{deployment="api", classification="failure"}[1m])')) >= 20, 60_000);
    const inbound = 'sum(pod:response_total:sum{deployment="api", direction="inbound"})';
    const base = await promValue(prom, inbound);
    assert.deepEqual(await send(state, SENT.total), { 200: SENT.ok + SENT.slow, 500: SENT.fail });
    await until('the traffic scraped', async () => (await promValue(prom, inbound)) === base + SENT.total, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
  } catch (err) {
    await close();
    throw err;
  }
  const weft = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [join(WEFT_ROOT, 'bin/weft.js'), ...args, '--state-dir', dir], { timeoutMs: 30_000 })).stdout;
  return {
    dir, state, weft, close,
    json: async <T>(...args: string[]) => JSON.parse(await weft(...args, '-o', 'json')) as T,
  };
}

