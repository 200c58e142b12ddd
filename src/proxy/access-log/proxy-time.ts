// Where a request's time went before its response head, for the access log's total_ns and
// processing_ns (Linkerd's fields): total is request start → response head; processing is that
// minus the time spent waiting on the upstream (getting a connection, then its response head),
// which the forward layers mark through the route's `upstreamClock`. Retries add up: every
// attempt's wait is the upstream's, the time between attempts is the proxy's.
import { performance } from 'node:perf_hooks';
import type { UpstreamClock } from '../http/route.js';

export class ProxyTime implements UpstreamClock {
  /** performance.now() when the current wait began; -1: not waiting. */
  private since = -1;
  private upstreamMs = 0;
  private headMs = -1;

  constructor(private readonly startMs: number) {}

  waiting(): void {
    if (this.since < 0) this.since = performance.now();
  }

  answered(): void {
    if (this.since < 0) return;
    this.upstreamMs += performance.now() - this.since;
    this.since = -1;
  }

  /** The response head leaves now (the upstream's, or one the proxy made). First call counts. */
  head(): void {
    if (this.headMs >= 0) return;
    this.answered();
    this.headMs = performance.now();
  }

  /** total_ns and processing_ns, as decimal strings; without a head, up to now (a reset). */
  fields(): { total_ns: string; processing_ns: string } {
    if (this.headMs < 0) this.answered();
    const end = this.headMs >= 0 ? this.headMs : performance.now();
    const total = Math.max(0, end - this.startMs);
    return { total_ns: String(Math.round(total * 1e6)), processing_ns: String(Math.round(Math.max(0, total - this.upstreamMs) * 1e6)) };
  }
}
