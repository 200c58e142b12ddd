// `weft viz` with Prometheus in loopback mode (no namespaces; runs without root): stat and
// edges match the traffic the test sent through the client's proxy. ServiceProfile routes do
// not apply to loopback endpoint addresses, so everything is [DEFAULT].
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EdgesResult } from '../../src/control/metrics/edges.js';
import type { RoutesResult } from '../../src/control/metrics/routes.js';
import type { StatResult } from '../../src/control/metrics/stat.js';
import type { VizScenario } from '../helpers/viz-scenario.js';
import { near, SENT, startVizScenario, WINDOW, WINDOW_S } from '../helpers/viz-scenario.js';

describe('weft viz with Prometheus, on loopback', { timeout: 120_000 }, () => {
  let s: VizScenario;
  before(async () => {
    s = await startVizScenario('loopback', 0);
  });
  after(async () => {
    await s?.close();
  });

  test('stat, stat --to, edges and routes ([DEFAULT]) match what was sent', async () => {
    const api = (await s.json<StatResult>('viz', 'stat', 'deploy/api', '-t', WINDOW)).rows[0];
    process.stdout.write(`# loopback stat deploy/api: ${JSON.stringify(api)}\n`);
    assert.ok(near((api?.rps ?? 0) * WINDOW_S, SENT.total) && near(api?.successRate, 0.8, 0.05), JSON.stringify(api));
    assert.ok((api?.p99 ?? 0) >= 100);
    const to = (await s.json<StatResult>('viz', 'stat', 'deploy/client', '--to', 'deploy/api', '-t', WINDOW)).rows[0];
    assert.ok(near((to?.rps ?? 0) * WINDOW_S, SENT.total), `--to ${JSON.stringify(to)}`);
    const e = await s.json<EdgesResult>('viz', 'edges', 'deploy', '-t', WINDOW);
    assert.deepEqual(e.edges.map((x) => [x.src, x.dst, x.secured, x.serverId]), [['client', 'api', true, 'spiffe://cluster.local/ns/e2e/sa/api']]);
    const r = await s.json<RoutesResult>('viz', 'routes', 'svc/api', '-t', WINDOW);
    const def = r.rows.find((x) => x.route === '[DEFAULT]');
    assert.ok(near(def?.responses, SENT.total) && near(def?.successRate, 0.8, 0.05), JSON.stringify(r.rows));
  });
});
