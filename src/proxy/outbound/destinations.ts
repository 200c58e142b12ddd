// What the outbound proxy knows about each destination it sends to: the discovery watches
// (endpoints and service profile), a latency-aware balancer per backend (traffic split gives
// several), and the retry budget. One entry per lookup key (original destination ip:port, or
// the authority in explicit-proxy mode), created on first use and evicted once idle.
import type { DiscoveryClient, Resolution, ProfileResolution } from '../discovery/client.js';
import type { DiscoveredEndpoint, Profile } from '../discovery/types.js';
import { followResolution } from '../balance/follow.js';
import { HttpBalancer } from '../balance/http-balancer.js';
import { TcpBalancer } from '../balance/tcp-balancer.js';
import { DEFAULT_RETRY_BUDGET, RetryBudget } from '../balance/retry-budget.js';

export interface Backend {
  readonly authority: string;
  readonly http: HttpBalancer<DiscoveredEndpoint>;
  readonly tcp: TcpBalancer<DiscoveredEndpoint>;
  /** The identity the backend's endpoints share (first endpoint's), for metrics labels. */
  identity(): string | undefined;
}

class WatchedBackend implements Backend {
  readonly http: HttpBalancer<DiscoveredEndpoint>;
  readonly tcp: TcpBalancer<DiscoveredEndpoint>;
  private readonly stops: Array<() => void>;
  constructor(readonly authority: string, readonly resolution: Resolution) {
    this.http = new HttpBalancer({ target: authority });
    this.tcp = new TcpBalancer(Math.random, authority);
    this.stops = [followResolution(resolution, this.http), followResolution(resolution, this.tcp)];
  }
  identity(): string | undefined {
    for (const e of this.resolution.endpoints.values()) return e.identity;
    return undefined;
  }
  /** Discovery has answered with this backend's endpoints (possibly none). */
  get resolved(): boolean {
    return this.resolution.state === 'resolved';
  }
  close(): void {
    for (const s of this.stops) s();
    this.resolution.release();
  }
}

/** One backend's endpoints by state (outbound_http_balancer_endpoints). */
export interface BackendEndpointStates {
  readonly dst: string;
  readonly backend: string;
  readonly ready: number;
  readonly pending: number;
}

export class Destination {
  lastUsed = Date.now();
  readonly budget: RetryBudget;
  private readonly splits = new Map<string, WatchedBackend>();

  constructor(
    readonly key: string,
    private readonly primary: WatchedBackend,
    readonly profileRes: ProfileResolution,
    private readonly discovery: DiscoveryClient,
  ) {
    const rb = profileRes.profile?.retryBudget;
    this.budget = new RetryBudget(rb ?? DEFAULT_RETRY_BUDGET);
    this.syncSplits();
    profileRes.on('change', () => this.syncSplits());
  }

  get profile(): Profile | undefined {
    return this.profileRes.profile;
  }

  /** The Service's own endpoints, ignoring any profile split (an HTTPRoute backend: the route splits). */
  direct(): Backend {
    this.lastUsed = Date.now();
    return this.primary;
  }

  /** The backend for one request: by traffic-split weights when the profile has a split. */
  backend(rng: () => number = Math.random): Backend {
    this.lastUsed = Date.now();
    const split = this.profile?.dstOverrides ?? [];
    const total = split.reduce((n, s) => n + s.weight, 0);
    if (split.length === 0 || total <= 0) return this.primary;
    let x = rng() * total;
    for (const s of split) {
      x -= s.weight;
      if (x < 0) return this.split(s.authority);
    }
    return this.split((split[split.length - 1] as { authority: string }).authority);
  }

  private split(authority: string): WatchedBackend {
    if (authority === this.primary.authority) return this.primary;
    const b = this.splits.get(authority);
    // A split backend discovery has not answered for yet (the profile just changed), or does
    // not know: the primary takes its share rather than the request failing for no endpoints.
    return b?.resolved ? b : this.primary;
  }

  // Split backends are watched as soon as the profile names them, so that their endpoints are
  // known before the first request is sent their way; backends the profile drops are released.
  private syncSplits(): void {
    const wanted = new Set((this.profile?.dstOverrides ?? []).map((s) => s.authority));
    wanted.delete(this.primary.authority);
    for (const a of wanted) if (!this.splits.has(a)) this.splits.set(a, new WatchedBackend(a, this.discovery.resolve(a)));
    for (const [a, b] of this.splits) {
      if (wanted.has(a)) continue;
      this.splits.delete(a);
      b.close();
    }
  }

  /** Resolves once discovery has answered (or failed) for every split backend. */
  async splitsReady(): Promise<void> {
    await Promise.all([...this.splits.values()].map((b) => b.resolution.ready));
  }

  /**
   * Endpoint counts by state per backend, for the balancer gauge: `dst` names the destination
   * (its service's FQDN when discovery knows one, else the lookup key), `backend` the backend
   * (the lookup key for the primary, the split's authority for the others).
   */
  endpointStates(): BackendEndpointStates[] {
    const dst = this.profile?.fullyQualifiedName || this.key;
    return [this.primary, ...this.splits.values()].map((b) => ({ dst, backend: b.authority, ...b.http.endpointStates() }));
  }

  close(): void {
    this.primary.close();
    for (const b of this.splits.values()) b.close();
    this.profileRes.release();
  }
}

export interface DestinationsOptions {
  /** How long a first lookup may hold a request before it falls back (default 1 s). */
  readonly lookupTimeoutMs?: number;
  /** Idle time after which a destination's watches are released (default 60 s). */
  readonly idleMs?: number;
}

/** How long an unknown name's fallback is reused when nothing changes. */
const NEGATIVE_TTL_MS = 5000;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class OutboundDestinations {
  private readonly entries = new Map<string, Promise<Destination | undefined>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly lookupTimeoutMs: number;
  private readonly idleMs: number;

  constructor(private readonly discovery: DiscoveryClient, opts: DestinationsOptions = {}) {
    this.lookupTimeoutMs = opts.lookupTimeoutMs ?? 1000;
    this.idleMs = opts.idleMs ?? 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(10_000, this.idleMs)).unref();
  }

  /**
   * The destination for `key`, or undefined when discovery does not know it (or cannot answer
   * in time with nothing cached): the caller then uses the original destination as it is.
   */
  get(key: string): Promise<Destination | undefined> {
    let e = this.entries.get(key);
    if (!e) {
      const entry: Promise<Destination | undefined> = this.create(key, () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
      this.entries.set(key, entry);
      e = entry;
    }
    return e;
  }

  private async create(key: string, forget: () => void): Promise<Destination | undefined> {
    const resolution = this.discovery.resolve(key);
    const profile = this.discovery.profile(key);
    await Promise.race([Promise.all([resolution.ready, profile.ready]), delay(this.lookupTimeoutMs)]);
    if (resolution.fallback || resolution.state === 'pending') {
      // The negative answer is asked again on a later request, not cached forever: at once when
      // discovery's answer changes (the service was created, the control plane came back, a slow
      // answer arrived), else after NEGATIVE_TTL_MS.
      const done = (): void => {
        clearTimeout(timer);
        resolution.release();
        profile.release();
        forget();
      };
      const timer = setTimeout(done, NEGATIVE_TTL_MS).unref();
      resolution.once('change', done);
      return undefined;
    }
    const dest = new Destination(key, new WatchedBackend(key, resolution), profile, this.discovery);
    await Promise.race([dest.splitsReady(), delay(this.lookupTimeoutMs)]);
    return dest;
  }

  /** Endpoint states per backend of every live destination. */
  async endpointStates(): Promise<BackendEndpointStates[]> {
    const out: BackendEndpointStates[] = [];
    for (const e of this.entries.values()) {
      const d = await e;
      if (d) out.push(...d.endpointStates());
    }
    return out;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, e] of this.entries) {
      void e.then((d) => {
        if (d && now - d.lastUsed > this.idleMs && this.entries.get(key) === e) {
          this.entries.delete(key);
          d.close();
        }
      });
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const e of this.entries.values()) void e.then((d) => d?.close());
    this.entries.clear();
    this.discovery.close();
  }
}
