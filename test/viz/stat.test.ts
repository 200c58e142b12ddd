import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromText } from '../../src/viz/prom-text.js';
import { computeStats, histogramQuantile, statTable } from '../../src/viz/stat.js';

function scrape(ok: number, fail: number, buckets: Record<string, number>, tcp = 2): string {
  const l = 'direction="inbound",authority="web.demo:8080",target_addr="127.0.0.1:8080",tls="true"';
  return [
    '# HELP response_total Total HTTP responses',
    '# TYPE response_total counter',
    `response_total{${l},status_code="200",classification="success",error=""} ${ok}`,
    `response_total{${l},status_code="500",classification="failure",error=""} ${fail}`,
    `response_total{direction="outbound",authority="x",classification="failure"} 999`,
    ...Object.entries(buckets).map(([le, c]) => `response_latency_ms_bucket{${l},status_code="200",le="${le}"} ${c}`),
    `response_latency_ms_bucket{direction="outbound",le="+Inf"} 999`,
    `tcp_open_connections{direction="inbound",target_addr="127.0.0.1:8080",tls="true"} ${tcp}`,
    `tcp_open_connections{direction="outbound",target_addr="10.0.0.1:80",tls="true"} 7`,
  ].join('\n');
}

test('prometheus text: labels with escapes, +Inf, comments skipped', () => {
  const s = parsePromText('# c\nm{a="x\\"y",le="+Inf"} 3\nn 1.5 1700000000\nbad line here\n');
  assert.deepEqual(s, [{ name: 'm', labels: { a: 'x"y', le: '+Inf' }, value: 3 }, { name: 'n', labels: {}, value: 1.5 }]);
});

test('histogram quantiles interpolate inside a bucket like histogram_quantile', () => {
  const h = new Map([[10, 50], [20, 90], [50, 100], [Infinity, 100]]);
  assert.equal(histogramQuantile(0.5, h), 10);
  assert.equal(histogramQuantile(0.7, h), 15);
  assert.equal(histogramQuantile(0.95, h), 35);
  assert.equal(histogramQuantile(0.5, new Map([[Infinity, 0]])), undefined);
  assert.equal(histogramQuantile(0.99, new Map([[10, 1], [Infinity, 100]])), 10);
});

test('stat from two scrapes: inbound success rate, RPS, latency over the window, open connections', () => {
  const before = parsePromText(scrape(100, 0, { '10': 90, '100': 100, '+Inf': 100 }));
  const after = parsePromText(scrape(190, 10, { '10': 140, '100': 200, '+Inf': 200 }, 3));
  const [row] = computeStats([{ name: 'web', namespace: 'demo', meshed: true, before, after }], 10);
  assert.ok(row);
  assert.equal(row.successRate, 0.9);
  assert.equal(row.rps, 10);
  assert.equal(row.p50, 10); // 50 of the window's 100 are <= 10 ms
  assert.equal(row.p95, 91);
  assert.equal(row.tcpConnections, 3);
  assert.deepEqual(statTable([row])[1], ['web', 'demo', '1/1', '90.00%', '10.0rps', '10ms', '91ms', '98ms', '3']);
});

test('stat: a restarted proxy counts from zero; an unmeshed or silent workload shows dashes; ns aggregates', () => {
  const high = parsePromText(scrape(500, 0, { '10': 500, '+Inf': 500 }));
  const low = parsePromText(scrape(20, 0, { '10': 20, '+Inf': 20 }));
  const rows = computeStats([
    { name: 'a', namespace: 'n', meshed: true, before: high, after: low },
    { name: 'b', namespace: 'n', meshed: false, before: undefined, after: undefined },
  ], 2);
  assert.equal(rows[0]?.rps, 10);
  assert.equal(rows[1]?.successRate, undefined);
  assert.deepEqual(statTable([rows[1] as (typeof rows)[number]])[1], ['b', 'n', '0/1', '-', '0.0rps', '-', '-', '-', '0']);
  const [ns] = computeStats([
    { name: 'a', namespace: 'n', meshed: true, before: high, after: low },
    { name: 'b', namespace: 'n', meshed: false, before: undefined, after: undefined },
  ], 2, 'ns');
  assert.equal(ns?.name, 'n');
  assert.equal(ns?.meshedPods, 1);
  assert.equal(ns?.pods, 2);
});
