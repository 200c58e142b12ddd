// The proxy's /metrics is scraped by a real Prometheus: the exposition must parse, and the
// values Prometheus stores must be the ones the proxy counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress } from '../../src/lib/address.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { startProxyPair, url } from '../helpers/proxy.js';
import { httpBackend } from '../helpers/servers.js';

test('a real Prometheus scrapes both proxies and sees the traffic', async (t) => {
  const app = await httpBackend((req, res) => {
    res.writeHead(req.url === '/fail' ? 503 : 200);
    res.end('ok');
  });
  const pair = await startProxyPair(app.addr);
  t.after(async () => {
    await pair.close();
    await app.close();
  });
  for (let i = 0; i < 30; i++) await (await fetch(url(pair.entry, i % 10 === 0 ? '/fail' : '/ok'))).arrayBuffer();

  const prom = await startPrometheus([formatAddress(pair.outbound.admin), formatAddress(pair.inbound.admin)]);
  t.after(() => prom.close());

  const deadline = Date.now() + 20_000;
  let up: Awaited<ReturnType<typeof prom.query>> = [];
  let total: typeof up = [];
  while (Date.now() < deadline) {
    up = await prom.query('up');
    total = await prom.query('sum by (direction) (request_total)');
    if (up.length === 2 && total.length === 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(up.map((s) => s.value[1]), ['1', '1'], 'both scrapes succeed (exposition parsed)');
  const byDir = Object.fromEntries(total.map((s) => [s.metric.direction, Number(s.value[1])]));
  assert.deepEqual(byDir, { outbound: 30, inbound: 30 });

  const failures = await prom.query('sum(response_total{direction="inbound",classification="failure"})');
  assert.equal(Number(failures[0]?.value[1]), 3);
  const buckets = await prom.query('sum(response_latency_ms_bucket{direction="outbound",le="+Inf"})');
  assert.equal(Number(buckets[0]?.value[1]), 30);
  const conns = await prom.query('sum(tcp_open_total{direction="outbound"})');
  assert.ok(Number(conns[0]?.value[1]) >= 1);
});
