// Consecutive-failures accrual for one endpoint (Linkerd's default policy): after `maxFailures`
// failures in a row the endpoint is ejected for a jittered, exponentially growing time (1 s to
// 60 s); when that time is up it gets one probe request; a success brings it back (and resets the
// backoff), a failure ejects it again for longer.
import { ExpBackoff } from './exp-backoff.js';
import type { BackoffOptions, Rng } from './exp-backoff.js';
import type { Clock } from './clock.js';

export interface FailureAccrualOptions {
  readonly maxFailures: number;
  readonly backoff: BackoffOptions;
}

export const DEFAULT_FAILURE_ACCRUAL: FailureAccrualOptions = Object.freeze({
  maxFailures: 7,
  backoff: Object.freeze({ minMs: 1000, maxMs: 60_000, jitter: 0.5 }),
});

/** ready: takes requests; ejected: waiting out its backoff; probing: its probe is due or in flight. */
export type AccrualState = 'ready' | 'ejected' | 'probing';

export class FailureAccrual {
  private failures = 0;
  private ejectedUntil = 0;
  private probeInFlight = false;
  private ejected = false;
  private readonly backoff: ExpBackoff;

  constructor(
    private readonly clock: Clock,
    private readonly opts: FailureAccrualOptions,
    rng: Rng,
  ) {
    this.backoff = new ExpBackoff(opts.backoff, rng);
  }

  get state(): AccrualState {
    if (!this.ejected) return 'ready';
    return this.clock.now() >= this.ejectedUntil ? 'probing' : 'ejected';
  }

  /** True when the endpoint's probe is due and none is in flight: send the next request there. */
  get probeDue(): boolean {
    return this.state === 'probing' && !this.probeInFlight;
  }

  /** Call when a request is sent to the endpoint. */
  onSend(): void {
    if (this.ejected) this.probeInFlight = true;
  }

  onResult(ok: boolean): void {
    if (ok) {
      this.failures = 0;
      if (this.ejected) {
        this.ejected = false;
        this.probeInFlight = false;
        this.backoff.reset();
      }
      return;
    }
    if (this.ejected) {
      // The probe failed (or a request sent before ejection did): stay out, for longer.
      if (this.probeInFlight) this.eject();
      return;
    }
    if (++this.failures >= this.opts.maxFailures) this.eject();
  }

  private eject(): void {
    this.ejected = true;
    this.probeInFlight = false;
    this.ejectedUntil = this.clock.now() + this.backoff.next();
  }
}
