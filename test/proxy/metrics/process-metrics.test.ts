// The proxy's process gauges (RSS, V8 heap, open fds) on /metrics, as the soak reads them: the
// test proxy runs in this process, so its figures are this process's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';

test('process_resident_memory_bytes, nodejs_heap_size_used_bytes and process_open_fds describe the proxy process', async (t) => {
  const proxy = await startTestProxy({ WEFT_PROXY_IDENTITY_DISABLED: '1' });
  t.after(() => proxy.close());
  const rss = await metricValue(proxy, 'process_resident_memory_bytes');
  const heap = await metricValue(proxy, 'nodejs_heap_size_used_bytes');
  const total = await metricValue(proxy, 'nodejs_heap_size_total_bytes');
  const fds = await metricValue(proxy, 'process_open_fds');
  const m = process.memoryUsage();
  assert.ok(rss > 20 * 2 ** 20 && Math.abs(rss - m.rss) < 0.5 * m.rss, `rss ${rss} vs ${m.rss}`);
  assert.ok(heap > 2 ** 20 && heap <= total, `heap ${heap} of ${total}`);
  assert.ok(Math.abs(total - m.heapTotal) < 0.5 * m.heapTotal, `heap total ${total} vs ${m.heapTotal}`);
  const now = readdirSync('/proc/self/fd').length;
  assert.ok(fds > 3 && Math.abs(fds - now) <= 10, `fds ${fds} vs ${now}`);
});
