// The proxy's discovery client: resolve(authority) for endpoints and profile(authority) for
// routes, over the Destination API. One shared watch per authority and kind, whatever the
// number of callers; each caller holds a handle and releases it when done.
//
//   const r = discovery.resolve('web.shop.svc.cluster.local:80');
//   await r.ready;
//   if (r.fallback) connectTo(originalDst); else balancer.setEndpoints(r.endpoints);
//   r.on('change', () => balancer.setEndpoints(r.endpoints));
//   ...; r.release();
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { proxyApis } from '../../api/load.js';
import type { ProtoGrpcType } from '../../api/gen/destination.js';
import type { DestinationClient } from '../../api/gen/io/linkerd/proxy/destination/Destination.js';
import type { Update__Output } from '../../api/gen/io/linkerd/proxy/destination/Update.js';
import type { DestinationProfile__Output } from '../../api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import type { BackoffOptions, Rng } from '../balance/exp-backoff.js';
import { CONTROL_PLANE_BACKOFF, ReconnectingClient, controlPlaneChannelOptions } from '../control-channel.js';
import { SharedWatch } from './watch.js';
import type { WatchCodec } from './watch.js';
import { decodeEndpoint, decodeProfile, decodeTcpAddress, formatHostPort } from './decode.js';
import type { DiscoveredEndpoint, Profile, ResolutionState } from './types.js';

export interface DiscoveryOptions {
  /** The destination service, "host:port". */
  readonly address: string;
  readonly credentials?: grpc.ChannelCredentials;
  /** Sent with every lookup; Linkerd's form is `{"ns":"<namespace>"}` (namespace of short names). */
  readonly contextToken?: string;
  /** How long an unused watch is kept before its stream is closed (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Re-subscription backoff after losing the control plane (default 100 ms .. 500 ms, jitter 0.5). */
  readonly backoff?: BackoffOptions;
  readonly rng?: Rng;
  /** A channel not connected after this long is replaced (default CONTROL_PLANE_CONNECT_TIMEOUT_MS). */
  readonly connectTimeoutMs?: number;
}

const DEFAULT_BACKOFF = CONTROL_PLANE_BACKOFF;

export type EndpointSet = ReadonlyMap<string, DiscoveredEndpoint>;

const ENDPOINTS: WatchCodec<Update__Output, EndpointSet> = {
  empty: new Map(),
  apply(prev, msg, fresh) {
    // After (re)subscribing, the first message is a full answer: it replaces what we cached.
    const next = new Map(fresh ? [] : prev);
    if (msg.add) {
      const labels = msg.add.metricLabels ?? {};
      for (const w of msg.add.addrs) {
        const e = decodeEndpoint(w, labels);
        if (e) next.set(e.address, e);
      }
      return { value: next, state: 'resolved' };
    }
    if (msg.remove) {
      for (const a of msg.remove.addrs) {
        const d = decodeTcpAddress(a);
        if (d) next.delete(formatHostPort(d.host, d.port));
      }
      return { value: next, state: 'resolved' };
    }
    const exists = msg.noEndpoints?.exists ?? false;
    return { value: new Map(), state: exists ? 'resolved' : 'not-found' };
  },
};

const PROFILES: WatchCodec<DestinationProfile__Output, Profile | undefined> = {
  empty: undefined,
  apply: (_prev, msg) => ({ value: decodeProfile(msg), state: 'resolved' }),
};

/** A caller's handle on a shared watch. Listen for 'change'; call release() when done. */
class Handle<V> extends EventEmitter {
  private released = false;
  private readonly forward = (): void => void this.emit('change');
  constructor(protected readonly watch: SharedWatch<unknown, V>) {
    super();
    watch.acquire();
    watch.on('change', this.forward);
  }

  get authority(): string {
    return this.watch.authority;
  }

  get state(): ResolutionState {
    return this.watch.state;
  }

  /** True when the caller should use the original destination (unknown name, or no control plane and nothing cached). */
  get fallback(): boolean {
    return this.watch.state === 'not-found' || this.watch.state === 'unavailable';
  }

  /** Resolves once the first answer (or a failure with nothing cached) is in. */
  get ready(): Promise<void> {
    return this.watch.ready;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.watch.off('change', this.forward);
    this.removeAllListeners();
    this.watch.release();
  }
}

export class Resolution extends Handle<EndpointSet> {
  /** The current endpoints, keyed by "ip:port". Kept across control-plane loss. */
  get endpoints(): EndpointSet {
    return this.watch.value;
  }
}

export class ProfileResolution extends Handle<Profile | undefined> {
  /** The current profile; undefined until resolved, or when the name is unknown. */
  get profile(): Profile | undefined {
    return this.watch.value;
  }
}

export class DiscoveryClient {
  private readonly channel: ReconnectingClient<DestinationClient>;
  private readonly gets = new Map<string, SharedWatch<Update__Output, EndpointSet>>();
  private readonly profiles = new Map<string, SharedWatch<DestinationProfile__Output, Profile | undefined>>();

  constructor(private readonly opts: DiscoveryOptions) {
    const proto = proxyApis() as unknown as ProtoGrpcType;
    const backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.channel = new ReconnectingClient((extra) => new proto.io.linkerd.proxy.destination.Destination(opts.address, opts.credentials ?? grpc.credentials.createInsecure(), { ...controlPlaneChannelOptions(backoff), ...extra }), opts.connectTimeoutMs);
  }

  private watchOptions(onIdle: () => void) {
    return {
      idleTimeoutMs: this.opts.idleTimeoutMs ?? 60_000,
      backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
      rng: this.opts.rng ?? Math.random,
      onIdle,
    };
  }

  /** Endpoints of an authority ("svc.ns.svc.cluster.local:port", "svc.ns:port" or "ip:port"). */
  resolve(authority: string): Resolution {
    let w = this.gets.get(authority);
    if (!w) {
      const req = { path: authority, contextToken: this.opts.contextToken ?? '' };
      const created: SharedWatch<Update__Output, EndpointSet> = new SharedWatch(authority, () => this.channel.client.Get(req), ENDPOINTS,
        this.watchOptions(() => this.gets.get(authority) === created && this.gets.delete(authority)));
      w = created;
      this.gets.set(authority, w);
    }
    return new Resolution(w as SharedWatch<unknown, EndpointSet>);
  }

  /** The service profile of an authority (routes, retry budget, traffic split, opaque protocol). */
  profile(authority: string): ProfileResolution {
    let w = this.profiles.get(authority);
    if (!w) {
      const req = { path: authority, contextToken: this.opts.contextToken ?? '' };
      const created: SharedWatch<DestinationProfile__Output, Profile | undefined> = new SharedWatch(authority, () => this.channel.client.GetProfile(req), PROFILES,
        this.watchOptions(() => this.profiles.get(authority) === created && this.profiles.delete(authority)));
      w = created;
      this.profiles.set(authority, w);
    }
    return new ProfileResolution(w as SharedWatch<unknown, Profile | undefined>);
  }

  /** Number of live shared watches (for metrics and tests). */
  get watchCount(): { endpoints: number; profiles: number } {
    return { endpoints: this.gets.size, profiles: this.profiles.size };
  }

  /** The shared watch behind an authority, if any (tests, admin). */
  debugWatch(kind: 'endpoints' | 'profile', authority: string): { subscriptions: number; references: number } | undefined {
    return (kind === 'endpoints' ? this.gets : this.profiles).get(authority);
  }

  close(): void {
    for (const w of this.gets.values()) w.close();
    for (const w of this.profiles.values()) w.close();
    this.gets.clear();
    this.profiles.clear();
    this.channel.close();
  }
}
