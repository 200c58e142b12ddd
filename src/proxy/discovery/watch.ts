// One shared, self-healing subscription to a Destination stream (Get or GetProfile) for one
// authority. Proxies' stacks take leases on it (reference counted); when the last lease goes,
// the stream lingers for an idle period so a burst of short connections reuses it. When the
// stream fails, the last known answer stays in place and the watch re-subscribes with
// jittered exponential backoff; the first message of a new stream replaces the old answer.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { ExpBackoff } from '../balance/exp-backoff.js';
import type { BackoffOptions, Rng } from '../balance/exp-backoff.js';
import type { ResolutionState } from './types.js';

/** How a message changes the watched value; `fresh` is true for the first message of a stream. */
export interface WatchCodec<M, V> {
  readonly empty: V;
  apply(prev: V, msg: M, fresh: boolean): { value: V; state: ResolutionState };
}

export interface WatchOptions {
  readonly idleTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly rng: Rng;
  readonly onIdle: () => void;
}

export class SharedWatch<M, V> extends EventEmitter {
  value: V;
  state: ResolutionState = 'pending';
  /** Resolves when the first answer (or the first failure with nothing cached) arrives. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private refs = 0;
  private call: grpc.ClientReadableStream<M> | undefined;
  private fresh = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly backoff: ExpBackoff;
  private closed = false;
  /** Streams opened so far (1 + re-subscriptions); for tests and metrics. */
  subscriptions = 0;

  constructor(
    readonly authority: string,
    private readonly open: () => grpc.ClientReadableStream<M>,
    private readonly codec: WatchCodec<M, V>,
    private readonly opts: WatchOptions,
  ) {
    super();
    this.setMaxListeners(0);
    this.value = codec.empty;
    this.ready = new Promise((r) => (this.markReady = r));
    this.backoff = new ExpBackoff(opts.backoff, opts.rng);
    this.subscribe();
  }

  private subscribe(): void {
    if (this.closed) return;
    this.subscriptions++;
    this.fresh = true;
    const call = this.open();
    this.call = call;
    call.on('data', (msg: M) => {
      if (call !== this.call) return;
      this.backoff.reset();
      const { value, state } = this.codec.apply(this.value, msg, this.fresh);
      this.fresh = false;
      this.value = value;
      this.state = state;
      this.markReady();
      this.emit('change');
    });
    call.on('error', (err: grpc.ServiceError) => this.onEnd(call, err));
    call.on('end', () => this.onEnd(call, undefined));
  }

  private onEnd(call: grpc.ClientReadableStream<M>, err: grpc.ServiceError | undefined): void {
    if (call !== this.call || this.closed) return;
    this.call = undefined;
    if (err?.code === grpc.status.NOT_FOUND) {
      this.value = this.codec.empty;
      this.state = 'not-found';
      this.emit('change');
    } else if (this.state === 'pending') {
      // Nothing cached: tell callers to use the original destination while we retry.
      this.state = 'unavailable';
      this.emit('change');
    }
    this.markReady();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.subscribe();
    }, this.backoff.next());
    this.retryTimer.unref();
  }

  acquire(): void {
    this.refs++;
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  release(): void {
    if (--this.refs > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => {
      if (this.refs > 0) return;
      this.close();
      this.opts.onIdle();
    }, this.opts.idleTimeoutMs);
    this.idleTimer.unref();
  }

  get references(): number {
    return this.refs;
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const c = this.call;
    this.call = undefined;
    c?.cancel();
    this.markReady();
    this.removeAllListeners();
  }
}
