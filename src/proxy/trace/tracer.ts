// The sampling decision and the span's clock and ids, shared by the inbound and outbound trace
// layers. A request that carries a trace context follows its sampled flag (W3C and b3 say the
// caller decides); one without starts a trace with probability `samplingRate` (0: never, as
// Linkerd, which traces only what the app already traces).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SpanRecord } from './otlp.js';
import type { TraceContext } from './propagation.js';

export interface SpanSink {
  push(span: SpanRecord): void;
}

export interface TracerOptions {
  readonly sink: SpanSink;
  /** 0..1: the share of requests without a trace context that start one. */
  readonly samplingRate: number;
  /** Injected so tests decide; Math.random otherwise. */
  readonly random?: () => number;
}

/** What a hop works with: the caller's context (or a new root) and this hop's span id. */
export interface Hop {
  readonly ctx: TraceContext;
  /** The caller's span (undefined for a trace this hop starts). */
  readonly parentSpanId: string | undefined;
  readonly spanId: string;
}

export class Tracer {
  private readonly random: () => number;

  constructor(private readonly o: TracerOptions) {
    this.random = o.random ?? Math.random;
  }

  /** This hop's place in the trace, or undefined: leave the request as it is. */
  hop(incoming: TraceContext | undefined): Hop | undefined {
    if (incoming) return { ctx: incoming, parentSpanId: incoming.spanId, spanId: spanId() };
    if (this.o.samplingRate <= 0 || this.random() >= this.o.samplingRate) return undefined;
    return { ctx: { traceId: randomBytes(16).toString('hex'), spanId: '', sampled: true }, parentSpanId: undefined, spanId: spanId() };
  }

  finish(span: SpanRecord): void {
    this.o.sink.push(span);
  }
}

export function spanId(): string {
  return randomBytes(8).toString('hex');
}

/** Wall-clock nanoseconds (OTLP times are Unix epoch), from the monotonic clock. */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}
