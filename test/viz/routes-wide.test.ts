// `weft viz routes -o wide`: the three cost columns, per request, '-' where nothing was measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteRow } from '../../src/control/metrics/routes.js';
import { routesTableOf } from '../../src/viz/format.js';

const base: RouteRow = { route: 'GET /items', service: 'catalog', namespace: 'demo', successRate: 1, rps: 2, p50: 1, p95: 2, p99: 3, responses: 20 };

test('routes -o wide adds request bytes, response bytes and CPU per request', () => {
  const rows: RouteRow[] = [
    { ...base, requestBytes: 0, responseBytes: 2048, cpuUs: 83.4 },
    { ...base, route: 'POST /upload', requestBytes: 3 * 1024 * 1024, responseBytes: 13, cpuUs: 4.25 },
    { ...base, route: '[DEFAULT]' },
  ];
  const t = routesTableOf(rows, true);
  assert.deepEqual(t[0]?.slice(-3), ['REQ_BYTES', 'RSP_BYTES', 'CPU/REQ']);
  assert.deepEqual(t[1]?.slice(-3), ['0.0B', '2.0KB', '83µs']);
  assert.deepEqual(t[2]?.slice(-3), ['3.0MB', '13B', '4.3µs']);
  assert.deepEqual(t[3]?.slice(-3), ['-', '-', '-']);
  // Without -o wide the table is Linkerd's.
  assert.deepEqual(routesTableOf(rows)[0], ['ROUTE', 'SERVICE', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99']);
});
