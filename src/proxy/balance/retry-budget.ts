// Retry budget (as Linkerd's, the idea of tower's TpsBudget): retries may add at most
// `retryRatio` of the request load, measured over a sliding window of `ttlMs`, plus a floor of
// `minRetriesPerSecond` so that services with little traffic can still retry. One budget per
// destination profile; the HTTP stack calls deposit() for each original request and
// tryWithdraw() before each retry (no retry when it returns false).
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

export interface RetryBudgetOptions {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

/** Linkerd's defaults. */
export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = Object.freeze({ retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 });

const BUCKETS = 10;

export class RetryBudget {
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private readonly bucketMs: number;
  /** Index of the bucket holding `epoch`, the current bucket-sized slice of time. */
  private epoch: number;

  constructor(
    private readonly opts: RetryBudgetOptions = DEFAULT_RETRY_BUDGET,
    private readonly clock: Clock = systemClock,
  ) {
    this.bucketMs = Math.max(1, opts.ttlMs / BUCKETS);
    this.epoch = Math.floor(clock.now() / this.bucketMs);
  }

  // Clears the buckets that have slid out of the window since the last call.
  private roll(): number {
    const e = Math.floor(this.clock.now() / this.bucketMs);
    const steps = Math.min(BUCKETS, e - this.epoch);
    for (let k = 1; k <= steps; k++) {
      const i = (this.epoch + k) % BUCKETS;
      this.requests[i] = 0;
      this.retries[i] = 0;
    }
    if (e > this.epoch) this.epoch = e;
    return this.epoch % BUCKETS;
  }

  /** Records an original (non-retry) request. */
  deposit(): void {
    this.requests[this.roll()]!++;
  }

  /** Retries still allowed in the current window. */
  available(): number {
    this.roll();
    const reqs = this.requests.reduce((a, b) => a + b, 0);
    const used = this.retries.reduce((a, b) => a + b, 0);
    const reserve = this.opts.minRetriesPerSecond * (this.opts.ttlMs / 1000);
    return Math.max(0, Math.floor(reserve + reqs * this.opts.retryRatio - used));
  }

  /** Takes one retry from the budget; false means "do not retry". */
  tryWithdraw(): boolean {
    if (this.available() < 1) return false;
    this.retries[this.roll()]!++;
    return true;
  }
}
