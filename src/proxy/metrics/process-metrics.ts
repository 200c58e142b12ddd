// The proxy process's own memory and descriptors, read at scrape time (no timers): the names
// Prometheus client libraries use (process_resident_memory_bytes, process_open_fds, and
// prom-client's nodejs_heap_size_*), so a soak or a dashboard can watch for leaks — heap
// growth in particular, which RSS alone hides behind the allocator.
import { readdir } from 'node:fs/promises';
import { Gauge } from './prom.js';
import type { ProxyMetrics } from './registry.js';

export function registerProcessMetrics(metrics: ProxyMetrics): void {
  metrics.register(new Gauge('process_resident_memory_bytes', 'Resident memory of the proxy process', [], (g) => g.set({}, process.memoryUsage.rss())));
  metrics.register(
    new Gauge('nodejs_heap_size_used_bytes', 'V8 heap in use', [], (g) => g.set({}, process.memoryUsage().heapUsed)),
  );
  metrics.register(
    new Gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved', [], (g) => g.set({}, process.memoryUsage().heapTotal)),
  );
  metrics.register(
    new Gauge('process_open_fds', 'Open file descriptors of the proxy process (Linux)', [], async (g) => {
      const fds = await readdir('/proc/self/fd').catch(() => undefined);
      if (fds) g.set({}, fds.length);
    }),
  );
}
