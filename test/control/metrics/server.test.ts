// The metrics API's answers when it cannot answer: Prometheus not there (and how to get it
// back), an unknown resource (naming the ones that exist), a bad or too short window — each a
// typed error with a status, which the CLI's client turns back into the same WeftError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MetricsApiClient } from '../../../src/control/metrics/client.js';
import type { InventorySnapshot } from '../../../src/control/metrics/inventory.js';
import { startMetricsApi } from '../../../src/control/metrics/server.js';

const snapshot: InventorySnapshot = {
  trustDomain: 'cluster.local',
  pods: [{ name: 'web', namespace: 'demo', deployment: 'web', serviceAccount: 'web', meshed: true, addresses: [{ host: '10.77.0.2' }] }],
  services: [],
};

test('errors: Prometheus down says so and how to start it; unknown names list what exists; windows are checked', async (t) => {
  // A port nothing listens on: Prometheus is down.
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const deadPort = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  const api = await startMetricsApi({ listen: { host: '127.0.0.1', port: 0 }, prometheusUrl: `http://127.0.0.1:${deadPort}`, scrapeIntervalMs: 5000, inventory: { snapshot: async () => snapshot } });
  t.after(() => api.close());
  const c = new MetricsApiClient(`127.0.0.1:${api.port}`);

  await assert.rejects(c.stat({ resource: 'deploy', window: '1m' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'WEFT_ERR_PROMETHEUS_UNAVAILABLE');
    assert.match(err.message, new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${deadPort} does not answer \\(ECONNREFUSED\\)\\. It runs with the mesh: see \`weft ps\``));
    assert.match(err.message, /weft logs prometheus/);
    assert.match(err.message, /--no-prometheus has none: `weft down`, then `weft up` without that flag/);
    return true;
  });
  await assert.rejects(c.stat({ resource: 'deploy/nope', window: '1m' }), { code: 'WEFT_ERR_UNKNOWN_RESOURCE', message: 'no deployment "nope" (have: demo/web)' });
  await assert.rejects(c.stat({ resource: 'deploy/nope', namespace: 'demo', window: '1m' }), { message: 'no deployment "nope" in namespace demo (have: web)' });
  await assert.rejects(c.stat({ resource: 'cronjobs', window: '1m' }), { code: 'WEFT_ERR_UNKNOWN_RESOURCE', message: /unknown resource type "cronjobs"/ });
  await assert.rejects(c.stat({ resource: 'deploy', window: '1x' }), { code: 'WEFT_ERR_INVALID_DURATION', message: 'window: invalid duration "1x" (use e.g. 30s, 1m, 10m, 1h)' });
  await assert.rejects(c.stat({ resource: 'deploy', window: '5s' }), { code: 'WEFT_ERR_WINDOW_TOO_SHORT', message: /window 5s is shorter than two of Prometheus' scrape intervals \(5s each\).*use at least 10s/ });
  await assert.rejects(c.edges({ resource: 'svc', window: '1m' }), { code: 'WEFT_ERR_UNKNOWN_RESOURCE' });
  await assert.rejects(c.routes({ resource: 'svc/nope', window: '1m' }), { message: 'no service "nope" (have: none)' });
  await assert.rejects(c.stat({ resource: 'deploy', window: '1m', from: 'deploy/web', to: 'deploy/web' }), { code: 'WEFT_ERR_CONFIG' });

  // Its own /metrics (the weft-control scrape job) counts what it answered.
  const text = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text();
  assert.match(text, /^metrics_api_requests_total\{path="\/api\/v1\/stat",code="503"\} 1$/m);
  assert.match(text, /^metrics_api_requests_total\{path="\/api\/v1\/stat",code="404"\} 3$/m);
  assert.match(text, /^process_resident_memory_bytes \d+$/m);
});

test('the metrics API itself down: the CLI says where it should be', async () => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const addr = `127.0.0.1:${(s.address() as net.AddressInfo).port}`;
  await new Promise((r) => s.close(r));
  await assert.rejects(new MetricsApiClient(addr, 2000).stat({ resource: 'deploy', window: '1m' }), {
    code: 'WEFT_ERR_METRICS_API_UNAVAILABLE', message: `the metrics API at ${addr} does not answer (ECONNREFUSED); it runs in the control plane: see \`weft ps\` and \`weft logs control\``,
  });
});
