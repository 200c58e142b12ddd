// Jittered exponential backoff, shared by the discovery client (re-subscribe after losing the
// control plane) and failure accrual (how long an ejected endpoint stays out). Randomness is
// injected so tests are deterministic.

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** Fraction of each delay that is random, in [0, 1] (0.5: the delay is 50%–100% of the step). */
  readonly jitter: number;
}

export type Rng = () => number;

export class ExpBackoff {
  private attempt = 0;
  constructor(
    private readonly opts: BackoffOptions,
    private readonly rng: Rng = Math.random,
  ) {}

  /** The next delay: min·2^n capped at max, minus a random share of up to `jitter` of it. */
  next(): number {
    const step = Math.min(this.opts.maxMs, this.opts.minMs * 2 ** this.attempt);
    if (step < this.opts.maxMs) this.attempt++;
    return step * (1 - this.opts.jitter * this.rng());
  }

  reset(): void {
    this.attempt = 0;
  }
}
