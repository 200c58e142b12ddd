// The HTTP load balancer of one destination: peak-EWMA load × power of two choices, with
// failure accrual. The HTTP stack asks pick() for an endpoint per request and ends the returned
// lease with the response's classification; the discovery client's changes go to
// setEndpoints(). Fails fast with NoEndpointsError rather than queueing.
//
//   const lease = balancer.pick();            // throws NoEndpointsError
//   send(lease.endpoint) ... lease.end(classifyResponse(route, status) === 'success');
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Rng } from './exp-backoff.js';
import { DEFAULT_PEAK_EWMA, PeakEwma } from './peak-ewma.js';
import type { PeakEwmaOptions } from './peak-ewma.js';
import { DEFAULT_FAILURE_ACCRUAL, FailureAccrual } from './failure-accrual.js';
import type { FailureAccrualOptions } from './failure-accrual.js';
import { NoEndpointsError, p2c } from './p2c.js';

export interface BalancerOptions {
  readonly clock?: Clock;
  readonly rng?: Rng;
  readonly ewma?: PeakEwmaOptions;
  readonly failureAccrual?: FailureAccrualOptions;
  /** Names the destination in errors and logs. */
  readonly target?: string;
}

export interface Lease<E> {
  readonly endpoint: E;
  /**
   * The request waited for a new connection to the endpoint and is now sent on it: its latency
   * counts from here. Connecting (TCP, an mTLS handshake) is not the endpoint's response time —
   * Linkerd's balancer, too, only times requests on ready connections — and counting it made a
   * new endpoint whose handshake ran slow under load look slow for tens of seconds (a peak
   * decays with a 10 s time constant), so it got no traffic at all.
   */
  connected(): void;
  /** Ends the request: records its latency and whether it failed. Idempotent. */
  end(ok: boolean): void;
}

/** Endpoint counts by state, for `outbound_http_balancer_endpoints{endpoint_state}`. */
export interface EndpointStates {
  readonly ready: number;
  readonly pending: number;
}

interface Slot<E> {
  endpoint: E;
  readonly ewma: PeakEwma;
  readonly accrual: FailureAccrual;
}

export class HttpBalancer<E extends { readonly address: string }> {
  private readonly slots = new Map<string, Slot<E>>();
  private readonly clock: Clock;
  private readonly rng: Rng;

  constructor(private readonly opts: BalancerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.rng = opts.rng ?? Math.random;
  }

  /** Replaces the endpoint set; endpoints that stay keep their latency and failure history. */
  setEndpoints(endpoints: Iterable<E>): void {
    const next = new Map<string, Slot<E>>();
    for (const e of endpoints) {
      const old = this.slots.get(e.address);
      next.set(e.address, old ? { ...old, endpoint: e } : {
        endpoint: e,
        ewma: new PeakEwma(this.clock, this.opts.ewma ?? DEFAULT_PEAK_EWMA),
        accrual: new FailureAccrual(this.clock, this.opts.failureAccrual ?? DEFAULT_FAILURE_ACCRUAL, this.rng),
      });
    }
    this.slots.clear();
    for (const [k, v] of next) this.slots.set(k, v);
  }

  get size(): number {
    return this.slots.size;
  }

  endpointStates(): EndpointStates {
    let ready = 0;
    for (const s of this.slots.values()) if (s.accrual.state === 'ready') ready++;
    return { ready, pending: this.slots.size - ready };
  }

  pick(): Lease<E> {
    const ready: Slot<E>[] = [];
    for (const s of this.slots.values()) {
      if (s.accrual.probeDue) return this.lease(s);
      if (s.accrual.state === 'ready') ready.push(s);
    }
    const s = p2c(ready, (x) => x.ewma.load(), this.rng);
    if (!s) throw new NoEndpointsError(this.opts.target ?? 'destination', this.slots.size);
    return this.lease(s);
  }

  private lease(s: Slot<E>): Lease<E> {
    let start = this.clock.now();
    s.ewma.inFlight++;
    s.accrual.onSend();
    let done = false;
    return {
      endpoint: s.endpoint,
      connected: () => {
        start = this.clock.now();
      },
      end: (ok) => {
        if (done) return;
        done = true;
        s.ewma.inFlight--;
        // A failure counts as at least the default RTT: an endpoint that refuses connections or
        // answers 5xx at once would otherwise look like the fastest and attract more requests
        // until failure accrual ejects it.
        const rtt = this.clock.now() - start;
        s.ewma.observe(ok ? rtt : Math.max(rtt, (this.opts.ewma ?? DEFAULT_PEAK_EWMA).defaultRttMs));
        s.accrual.onResult(ok);
      },
    };
  }
}
