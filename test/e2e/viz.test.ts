// test-timeout: 600000
// `weft viz stat/edges/routes` end to end in network namespaces: a real Prometheus started by
// `weft up`, scraping real proxies; the numbers the CLI prints (through the control plane's
// metrics API) match the traffic the test sent — and survive a proxy restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EdgesResult } from '../../src/control/metrics/edges.js';
import type { RoutesResult } from '../../src/control/metrics/routes.js';
import type { StatResult, StatRow } from '../../src/control/metrics/stat.js';
import { netnsSupport } from '../../src/runtime/local/netns.js';
import { readRunState } from '../../src/runtime/local/run-state.js';
import { isAlive } from '../../src/runtime/local/supervisor.js';
import { until } from '../helpers/http-load.js';
import type { VizScenario } from '../helpers/viz-scenario.js';
import { near, SENT, startVizScenario, WINDOW, WINDOW_S } from '../helpers/viz-scenario.js';

const support = await netnsSupport();
const noNetns = support.ok ? false : `needs root and ip netns: ${support.reason}`;
const NET = 4 + (process.pid % 9) * 4;
const responses = (r: StatRow | undefined): number => (r?.rps ?? 0) * WINDOW_S;

describe('weft viz with Prometheus, in namespaces', { skip: noNetns, timeout: 300_000 /* ~60 s alone; longer beside other heavy files on 2 cores */ }, () => {
  let s: VizScenario;
  before(async () => {
    s = await startVizScenario('netns', NET);
  });
  after(async () => {
    await s?.close();
  });

  test('stat deploy, po, svc, ns: success rate, RPS and latencies of what api served', async () => {
    const deploy = await s.json<StatResult>('viz', 'stat', 'deploy', '-n', 'e2e', '-t', WINDOW);
    const api = deploy.rows.find((r) => r.name === 'api');
    process.stdout.write(`# stat deploy/api: ${JSON.stringify(api)}\n`);
    assert.ok(near(responses(api), SENT.total), `responses ${responses(api)}`);
    assert.ok(near(api?.successRate, (SENT.ok + SENT.slow) / SENT.total, 0.05), `success ${api?.successRate}`);
    assert.ok((api?.p50 ?? 99) < 60 && (api?.p95 ?? 0) >= 100 && (api?.p95 ?? 999) <= 200 && (api?.p99 ?? 0) >= 100, `latency ${api?.p50} ${api?.p95} ${api?.p99}`);
    assert.deepEqual([api?.meshedPods, api?.pods], [1, 1]);
    for (const [type, name] of [['svc', 'api'], ['po', 'api'], ['ns', 'e2e']] as const) {
      const r = (await s.json<StatResult>('viz', 'stat', type, '-n', 'e2e', '-t', WINDOW)).rows.find((x) => x.name === name);
      assert.ok(near(responses(r), SENT.total) && near(r?.successRate, 0.8, 0.05), `${type}/${name}: ${JSON.stringify(r)}`);
    }
    const table = await s.weft('viz', 'stat', 'deploy', '-n', 'e2e', '-t', WINDOW);
    assert.match(table, /^NAME +MESHED +SUCCESS +RPS +LATENCY_P50 +LATENCY_P95 +LATENCY_P99 +TCP_CONN$/m);
    assert.match(table, /^api +1\/1 +(7[5-9]|8[0-5])\.\d\d% +\d+\.\drps +[\d.]+ms +\d+ms +\d+ms +\d+$/m);
  });

  test('stat --to and --from: what client sent to api', async () => {
    const to = (await s.json<StatResult>('viz', 'stat', 'deploy/client', '-n', 'e2e', '--to', 'svc/api', '-t', WINDOW)).rows[0];
    assert.ok(near(responses(to), SENT.total) && near(to?.successRate, 0.8, 0.05), `--to ${JSON.stringify(to)}`);
    const from = await s.json<StatResult>('viz', 'stat', 'deploy', '-n', 'e2e', '--from', 'deploy/client', '-t', WINDOW);
    assert.deepEqual(from.rows.map((r) => r.name), ['api']);
    assert.ok(near(responses(from.rows[0]), SENT.total), `--from ${JSON.stringify(from.rows[0])}`);
  });

  test('edges: client -> api over mTLS, with both identities', async () => {
    const e = await s.json<EdgesResult>('viz', 'edges', 'deploy', '-n', 'e2e', '-t', WINDOW);
    assert.deepEqual(e.edges.map((x) => [x.src, x.dst, x.secured, x.clientId, x.serverId]), [
      ['client', 'api', true, 'spiffe://cluster.local/ns/e2e/sa/client', 'spiffe://cluster.local/ns/e2e/sa/api'],
    ]);
    assert.ok(near(e.edges[0]?.responses, SENT.total));
    assert.match(await s.weft('viz', 'edges', '-n', 'e2e', '-t', WINDOW, '-o', 'wide'),
      /^client +api +e2e +e2e +√ +spiffe:\/\/cluster\.local\/ns\/e2e\/sa\/client +spiffe:\/\/cluster\.local\/ns\/e2e\/sa\/api +-$/m);
  });

  test('routes: the profile routes and [DEFAULT] for the rest', async () => {
    const r = await s.json<RoutesResult>('viz', 'routes', 'svc/api', '-n', 'e2e', '-t', WINDOW);
    process.stdout.write(`# routes: ${JSON.stringify(r.rows.map((x) => [x.route, x.responses, x.successRate, x.p50]))}\n`);
    const row = (n: string) => r.rows.find((x) => x.route === n);
    assert.deepEqual(r.rows.map((x) => x.route), ['GET /ok', 'GET /fail', '[DEFAULT]']);
    assert.ok(near(row('GET /ok')?.responses, SENT.ok) && row('GET /ok')?.successRate === 1);
    assert.ok(near(row('GET /fail')?.responses, SENT.fail) && row('GET /fail')?.successRate === 0);
    assert.ok(near(row('[DEFAULT]')?.responses, SENT.slow, 0.3), `[DEFAULT] ${row('[DEFAULT]')?.responses}`);
    assert.ok((row('[DEFAULT]')?.p50 ?? 0) >= 100 && (row('[DEFAULT]')?.p50 ?? 999) <= 200);
    const viaDeploy = await s.json<RoutesResult>('viz', 'routes', 'deploy/client', '-n', 'e2e', '--to', 'svc/api', '-t', WINDOW);
    assert.ok(near(viaDeploy.rows.find((x) => x.route === 'GET /ok')?.responses, SENT.ok));
  });

  test('bad input: an unknown resource names what exists, a bad window says how to write one', async () => {
    await assert.rejects(s.weft('viz', 'stat', 'deploy/nope', '-n', 'e2e'), /weft viz: no deployment "nope" in namespace e2e \(have: api, client\) \(WEFT_ERR_UNKNOWN_RESOURCE\)/);
    await assert.rejects(s.weft('viz', 'routes', 'svc/nope', '-n', 'e2e'), /no service "nope" in namespace e2e \(have: api\)/);
    await assert.rejects(s.weft('viz', 'stat', '-t', 'soon'), /invalid duration "soon".*WEFT_ERR_INVALID_DURATION/);
    await assert.rejects(s.weft('viz', 'stat', '-t', '1s'), /shorter than two of Prometheus' scrape intervals \(1s each\).*WEFT_ERR_WINDOW_TOO_SHORT/);
    await assert.rejects(s.weft('viz', 'stat', '-o', 'yaml'), /unknown output "yaml"/);
  });

  test("history survives a proxy restart: api's proxy killed, the window still counts what it served", async () => {
    const st = await readRunState(s.dir);
    const api = st?.workloads.find((w) => w.name === 'api');
    process.kill(api?.proxy?.pid as number, 'SIGKILL');
    await until('api proxy restarted and scraped', async () => {
      const w = (await readRunState(s.dir))?.workloads.find((x) => x.name === 'api');
      return w?.proxy?.pid !== api?.proxy?.pid && isAlive(w?.proxy?.pid, w?.proxy?.startTime) && w?.ready === true;
    }, 15_000);
    await new Promise((r) => setTimeout(r, 2500));
    const r = (await s.json<StatResult>('viz', 'stat', 'deploy/api', '-n', 'e2e', '-t', '1m')).rows[0];
    // The warm-up's 5 are in the series' first samples; over 1 m, the 100 sent after.
    assert.ok(near((r?.rps ?? 0) * 60, SENT.total, 0.2), `after the restart: ${JSON.stringify(r)}`);
  });
});
