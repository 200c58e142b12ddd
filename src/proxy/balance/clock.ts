// Time as the balancers see it: injected, so EWMA decay and ejection backoff are testable.

export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
