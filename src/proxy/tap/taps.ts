// The proxy's open taps. The tap layers read `active` on every request (one branch when nobody
// taps); only when it is true do they describe the request and ask which taps claim it.
//
// Each Tap is one Observe stream. Its bounds, so that tapping can never hurt the traffic:
// - `limit` requests, then the tap stops matching and ends when those requests have ended;
// - at most `maxEventsPerSecond` events per stream (fixed one-second windows);
// - a client that stops reading fills the stream's small buffer (write() returns false); from
//   then until it drains, events are dropped, never queued. Every drop is counted.
import { randomInt } from 'node:crypto';
import type { TapEvent } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import { Counter, Gauge } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { StreamId } from './events.js';
import type { TapMatcher, TapRequestInfo } from './match.js';

/** Where a tap's events go (the Observe call's writable side). */
export interface TapOutput {
  /** False: the buffer is full; the tap drops events until onDrain fires. */
  write(ev: TapEvent): boolean;
  end(): void;
  onDrain(cb: () => void): void;
}

export interface TapOptions {
  readonly limit: number;
  readonly maxEventsPerSecond: number;
  /** Copy request/response headers into events (ObserveRequest.extract). */
  readonly headers: boolean;
  readonly now?: () => number;
}

export type DropReason = 'rate' | 'backpressure';

export class Tap {
  private remaining: number;
  private inflight = 0;
  private ended = false;
  private blocked = false;
  private windowStart = -Infinity;
  private windowCount = 0;
  private readonly now: () => number;
  /** Set by Taps.add: removes this tap and counts drops. */
  onDropped: (reason: DropReason) => void = () => {};
  onEnded: () => void = () => {};

  constructor(
    private readonly matcher: TapMatcher,
    readonly opts: TapOptions,
    private readonly out: TapOutput,
  ) {
    this.remaining = opts.limit;
    this.now = opts.now ?? Date.now;
    out.onDrain(() => {
      this.blocked = false;
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Takes `r` as one of this tap's requests if it matches and the limit allows. */
  claim(r: TapRequestInfo): boolean {
    if (this.ended || this.remaining <= 0 || !this.matcher(r)) return false;
    this.remaining--;
    this.inflight++;
    return true;
  }

  emit(ev: TapEvent): void {
    if (this.ended) return;
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.windowCount = 0;
    }
    if (this.blocked) return this.onDropped('backpressure');
    if (this.windowCount >= this.opts.maxEventsPerSecond) return this.onDropped('rate');
    this.windowCount++;
    if (!this.out.write(ev)) this.blocked = true;
  }

  /** One of this tap's requests has ended (its last event was emitted). */
  release(): void {
    this.inflight--;
    if (this.remaining <= 0 && this.inflight <= 0) this.end();
  }

  /** Ends the stream (limit reached) or forgets it (the client left: `graceful` false). */
  end(graceful = true): void {
    if (this.ended) return;
    this.ended = true;
    if (graceful) this.out.end();
    this.onEnded();
  }
}

/** The process's taps, stream ids and tap metrics. */
export class Taps {
  /** True while at least one tap is open: the only thing the hot path reads. */
  active = false;
  private readonly taps = new Set<Tap>();
  private readonly base = randomInt(2 ** 32 - 1);
  private next = 0;
  private readonly dropped: Counter;
  private readonly emitted: Counter;

  constructor(metrics: ProxyMetrics) {
    this.dropped = metrics.register(new Counter('tap_events_dropped_total', 'Tap events dropped: rate bound per stream, or a tap client not reading', ['reason']));
    this.emitted = metrics.register(new Counter('tap_requests_observed_total', 'Requests observed by at least one tap'));
    metrics.register(new Gauge('tap_active_streams', 'Open tap (Observe) streams', [], (g) => g.set({}, this.taps.size)));
  }

  add(tap: Tap): void {
    tap.onDropped = (reason) => this.dropped.inc({ reason });
    tap.onEnded = () => {
      this.taps.delete(tap);
      this.active = this.taps.size > 0;
    };
    this.taps.add(tap);
    this.active = true;
  }

  get size(): number {
    return this.taps.size;
  }

  /** The taps that observe this request; empty when none matches. */
  claim(r: TapRequestInfo): Tap[] {
    const out: Tap[] = [];
    for (const t of this.taps) if (t.claim(r)) out.push(t);
    if (out.length) this.emitted.inc();
    return out;
  }

  nextId(): StreamId {
    return { base: this.base, stream: this.next++ };
  }

  /** Ends every tap (the proxy is shutting down). */
  closeAll(): void {
    for (const t of [...this.taps]) t.end();
  }
}
