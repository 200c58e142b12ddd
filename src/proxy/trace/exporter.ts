// Sends finished spans to an OTLP/HTTP collector (POST /v1/traces, application/x-protobuf) in
// batches, off the request path: a span is only pushed onto a bounded queue. One export in
// flight at a time, each with a timeout; when the collector is slow or down, the queue fills and
// further spans are dropped (and counted) — bounded memory, and no request waits for tracing.
import { http } from '../../lib/builtins.js';
import type { Logger } from '../../lib/log.js';
import type { SpanRecord } from './otlp.js';
import { encodeExportRequest } from './otlp.js';

export interface ExporterOptions {
  /** host:port of the collector's OTLP/HTTP receiver. */
  readonly collector: string;
  readonly resource: Readonly<Record<string, string>>;
  /** Spans held at most (default 2048); beyond it new spans are dropped. */
  readonly maxQueue?: number;
  /** Spans per export (default 512). */
  readonly maxBatch?: number;
  /** Export at least this often while spans wait (default 1000 ms). */
  readonly flushMs?: number;
  readonly timeoutMs?: number;
  readonly log?: Logger | undefined;
}

export class SpanExporter {
  private queue: SpanRecord[] = [];
  private inFlight: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  /** Counters for the admin's /metrics and the tests. */
  exported = 0;
  dropped = 0;
  failedExports = 0;

  constructor(private readonly o: ExporterOptions) {
    this.maxQueue = o.maxQueue ?? 2048;
    this.maxBatch = o.maxBatch ?? 512;
    this.timer = setInterval(() => void this.flush(), o.flushMs ?? 1000);
    this.timer.unref();
  }

  push(span: SpanRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch && !this.inFlight) void this.flush();
  }

  /** Sends what is queued, one batch at a time; resolves when the queue is empty or an export failed. */
  flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return this.inFlight ?? Promise.resolve();
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = this.send(batch).then(
      () => {
        this.exported += batch.length;
      },
      (err: unknown) => {
        // The batch is dropped: keeping it would grow memory while the collector is away.
        this.failedExports++;
        this.dropped += batch.length;
        this.o.log?.debug('trace export failed', { err: err as Error, spans: batch.length });
      },
    ).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
    this.agent.destroy();
  }

  private send(spans: readonly SpanRecord[]): Promise<void> {
    const body = encodeExportRequest(this.o.resource, spans);
    const i = this.o.collector.lastIndexOf(':');
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.o.collector.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(this.o.collector.slice(i + 1)), method: 'POST', path: '/v1/traces', agent: this.agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length }, timeout: this.o.timeoutMs ?? 5000,
      }, (res) => {
        res.resume();
        res.once('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`collector answered HTTP ${res.statusCode}`))));
      });
      req.once('timeout', () => req.destroy(new Error('collector timed out')));
      req.once('error', reject);
      req.end(body);
    });
  }
}
