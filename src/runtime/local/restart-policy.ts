// When to restart a process that exited: exponential backoff with jitter, capped, and reset
// once the process has run for a stable period — the shape of Kubernetes' CrashLoopBackOff
// (10 s doubling to 5 min there; shorter here, since a local mesh is for working on it). The
// clock is the caller's (it passes how long the process ran) and randomness is injected, so
// the schedule is tested without sleeping.

export interface RestartPolicyOptions {
  /** Delay before the first restart (default 200 ms). */
  readonly initialMs?: number;
  /** Growth per consecutive crash (default 2). */
  readonly factor?: number;
  /** Cap on the delay (default 30 s). */
  readonly maxMs?: number;
  /** Spread of each delay, ± this fraction (default 0.2), so crashing pods do not restart in step. */
  readonly jitter?: number;
  /** A process that ran this long before exiting starts the backoff over (default 10 s). */
  readonly stableMs?: number;
  /** [0, 1) random source (default Math.random). */
  readonly random?: () => number;
}

export const DEFAULT_RESTART_POLICY = Object.freeze({ initialMs: 200, factor: 2, maxMs: 30_000, jitter: 0.2, stableMs: 10_000 });

export class RestartBackoff {
  private crashes = 0;
  private readonly o: Required<RestartPolicyOptions>;

  constructor(o: RestartPolicyOptions = {}) {
    this.o = { ...DEFAULT_RESTART_POLICY, random: Math.random, ...o };
  }

  /** Consecutive exits without a stable run in between. */
  get consecutive(): number {
    return this.crashes;
  }

  /** The delay before restarting a process that exited after running `ranMs`. */
  next(ranMs: number): number {
    if (ranMs >= this.o.stableMs) this.crashes = 0;
    const base = Math.min(this.o.maxMs, this.o.initialMs * this.o.factor ** this.crashes);
    this.crashes++;
    const spread = 1 - this.o.jitter + 2 * this.o.jitter * this.o.random();
    return Math.min(this.o.maxMs, Math.round(base * spread));
  }
}
