// The TCP (opaque) load balancer: power of two choices by open connections. The TCP stack picks
// per connection and releases the lease when the connection closes.
import type { Rng } from './exp-backoff.js';
import { NoEndpointsError, p2c } from './p2c.js';

export interface TcpLease<E> {
  readonly endpoint: E;
  /** Call when the connection closes. Idempotent. */
  release(): void;
}

export class TcpBalancer<E extends { readonly address: string }> {
  private readonly slots = new Map<string, { endpoint: E; open: number }>();

  constructor(
    private readonly rng: Rng = Math.random,
    private readonly target = 'destination',
  ) {}

  setEndpoints(endpoints: Iterable<E>): void {
    const next = new Map<string, { endpoint: E; open: number }>();
    for (const e of endpoints) next.set(e.address, { endpoint: e, open: this.slots.get(e.address)?.open ?? 0 });
    this.slots.clear();
    for (const [k, v] of next) this.slots.set(k, v);
  }

  openConnections(address: string): number {
    return this.slots.get(address)?.open ?? 0;
  }

  pick(): TcpLease<E> {
    const s = p2c([...this.slots.values()], (x) => x.open, this.rng);
    if (!s) throw new NoEndpointsError(this.target, 0);
    s.open++;
    let done = false;
    return {
      endpoint: s.endpoint,
      release: () => {
        if (done) return;
        done = true;
        // The slot may have been replaced by setEndpoints; count down whichever holds the address.
        const cur = this.slots.get(s.endpoint.address) ?? s;
        cur.open = Math.max(0, cur.open - 1);
      },
    };
  }
}
