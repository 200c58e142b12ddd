import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from '../../../src/proxy/metrics/prom.js';

test('exposition: HELP/TYPE, escaped label values, cumulative histogram buckets', async () => {
  const r = new Registry();
  const c = r.register(new Counter('request_total', 'Total\nrequests', ['authority']));
  const h = r.register(new Histogram('latency_ms', 'Latency', ['route'], [1, 10]));
  r.register(new Gauge('open', 'Open things', [], (g) => g.set({}, 3)));
  c.inc({ authority: 'a"b\\c\nd' });
  c.labels({ authority: 'x' }).inc(2);
  for (const v of [0.5, 5, 5, 50]) h.observe({ route: 'r' }, v);
  const text = await r.exposition();
  assert.equal(
    text,
    [
      '# HELP request_total Total\\nrequests',
      '# TYPE request_total counter',
      'request_total{authority="a\\"b\\\\c\\nd"} 1',
      'request_total{authority="x"} 2',
      '# HELP latency_ms Latency',
      '# TYPE latency_ms histogram',
      'latency_ms_bucket{route="r",le="1"} 1',
      'latency_ms_bucket{route="r",le="10"} 3',
      'latency_ms_bucket{route="r",le="+Inf"} 4',
      'latency_ms_sum{route="r"} 60.5',
      'latency_ms_count{route="r"} 4',
      '# HELP open Open things',
      '# TYPE open gauge',
      'open 3',
      '',
    ].join('\n'),
  );
});

test('a metric name can be registered once only', () => {
  const r = new Registry();
  r.register(new Counter('x_total', 'x'));
  assert.throws(() => r.register(new Gauge('x_total', 'x')), /already registered/);
});
