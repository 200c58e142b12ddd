// Peak-EWMA latency estimate of one endpoint (the idea of Finagle's and tower's PeakEwma, which
// linkerd2-proxy uses): a response slower than the estimate replaces it at once (peak); faster
// ones pull it down exponentially with time constant `decayMs`; with no responses the estimate
// decays toward zero, so a once-slow endpoint is eventually tried again. The endpoint's load is
// estimate × (in-flight + 1).
import type { Clock } from './clock.js';

export interface PeakEwmaOptions {
  /** Estimate of an endpoint nothing is known about yet (Linkerd: 30 ms). */
  readonly defaultRttMs: number;
  /** Time constant of the moving average (Linkerd: 10 s). */
  readonly decayMs: number;
}

export const DEFAULT_PEAK_EWMA: PeakEwmaOptions = Object.freeze({ defaultRttMs: 30, decayMs: 10_000 });

export class PeakEwma {
  private rttMs: number;
  private updatedAt: number;
  /** Requests sent and not yet answered. */
  inFlight = 0;

  constructor(
    private readonly clock: Clock,
    private readonly opts: PeakEwmaOptions = DEFAULT_PEAK_EWMA,
  ) {
    this.rttMs = opts.defaultRttMs;
    this.updatedAt = clock.now();
  }

  private decayTo(now: number, sampleMs: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    const w = Math.exp(-elapsed / this.opts.decayMs);
    this.rttMs = this.rttMs * w + sampleMs * (1 - w);
    this.updatedAt = now;
  }

  /** Records one response's round-trip time. */
  observe(rttMs: number): void {
    const now = this.clock.now();
    if (rttMs > this.rttMs) {
      this.rttMs = rttMs;
      this.updatedAt = now;
    } else {
      this.decayTo(now, rttMs);
    }
  }

  /** Current estimate, decayed for the time since the last response. */
  estimate(): number {
    this.decayTo(this.clock.now(), 0);
    return this.rttMs;
  }

  load(): number {
    return this.estimate() * (this.inFlight + 1);
  }
}
