// One poller shared by every open page: while someone watches (an SSE subscriber), it asks the
// metrics API and the components every `refreshMs` and pushes the results to all subscribers —
// so ten open tabs cost the control plane what one does, and nobody watching costs nothing.
import { WeftError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { MetricsApiClient } from '../control/metrics/client.js';
import type { ApiError, Health, Overview, Topology } from './api-types.js';
import { overview, RpsHistory, topology } from './views.js';

export type FeedEvent =
  | { readonly type: 'overview'; readonly data: Overview }
  | { readonly type: 'topology'; readonly data: Topology }
  | { readonly type: 'health'; readonly data: Health }
  | { readonly type: 'problem'; readonly data: ApiError['error'] };

export interface LiveFeedOptions {
  readonly api: MetricsApiClient;
  readonly window: string;
  readonly refreshMs: number;
  readonly health: () => Promise<Health>;
  readonly log?: Logger | undefined;
}

export function asApiError(err: unknown): ApiError['error'] {
  return err instanceof WeftError ? { code: err.code, message: err.message } : { code: 'WEFT_ERR_INTERNAL', message: (err as Error).message };
}

export class LiveFeed {
  readonly history = new RpsHistory();
  private readonly subscribers = new Set<(e: FeedEvent) => void>();
  private readonly last = new Map<FeedEvent['type'], FeedEvent>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRun = 0;

  constructor(private readonly o: LiveFeedOptions) {}

  /** Current state first (what the poller has), then every change; returns the unsubscribe. */
  subscribe(fn: (e: FeedEvent) => void): () => void {
    for (const e of this.last.values()) fn(e);
    this.subscribers.add(fn);
    if (!this.timer) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), this.o.refreshMs);
    }
    return () => {
      this.subscribers.delete(fn);
      if (this.subscribers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** The latest event of a type, refreshed first when older than one period. */
  async current<T extends FeedEvent['type']>(type: T): Promise<Extract<FeedEvent, { type: T }> | Extract<FeedEvent, { type: 'problem' }>> {
    if (Date.now() - this.lastRun > this.o.refreshMs || !this.last.has(type)) await this.refresh();
    const problem = this.last.get('problem');
    const e = this.last.get(type);
    if (type !== 'health' && problem) return problem as Extract<FeedEvent, { type: 'problem' }>;
    return (e ?? problem) as Extract<FeedEvent, { type: T }>;
  }

  /** One poll; concurrent callers share it. */
  refresh(): Promise<void> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
      this.lastRun = Date.now();
    });
    return this.running;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.subscribers.clear();
  }

  private emit(e: FeedEvent): void {
    this.last.set(e.type, e);
    for (const fn of this.subscribers) fn(e);
  }

  private async poll(): Promise<void> {
    const { api, window } = this.o;
    // Health goes out as soon as it is known: with Prometheus stopped, the metrics queries take
    // their full timeout, and the page should say what is down before they give up.
    const health = this.o.health().then((h) => this.emit({ type: 'health', data: h }), (err: unknown) => this.o.log?.error('health check failed', { err: err as Error }));
    const [ov, topo] = await Promise.allSettled([overview(api, window, this.history), topology(api, window)]);
    await health;
    const failed = [ov, topo].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      if (!(failed.reason instanceof WeftError)) this.o.log?.error('dashboard poll failed', { err: failed.reason as Error });
      this.emit({ type: 'problem', data: asApiError(failed.reason) });
      return;
    }
    this.last.delete('problem');
    if (ov.status === 'fulfilled') this.emit({ type: 'overview', data: ov.value });
    if (topo.status === 'fulfilled') this.emit({ type: 'topology', data: topo.value });
  }
}
