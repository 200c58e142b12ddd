// The proxy's outbound policy source: one OutboundPolicies.Watch stream per target (the original
// destination "ip:port", or the authority in explicit-proxy mode), shared by every request to it,
// re-subscribed with backoff when the control plane is lost (the last answer stays in force),
// and closed once the target has gone unused for `idleMs`. What a request sees:
//   - a policy with routes: the layer routes by them;
//   - undefined: no Service (NOT_FOUND), no answer yet after `lookupTimeoutMs`, or a control
//     plane that cannot answer with nothing cached — the ServiceProfile path applies.
import * as grpc from '@grpc/grpc-js';
import { proxyApis } from '../../api/load.js';
import type { ProtoGrpcType } from '../../api/gen/outbound.js';
import type { OutboundPoliciesClient } from '../../api/gen/io/linkerd/proxy/outbound/OutboundPolicies.js';
import type { OutboundPolicy__Output } from '../../api/gen/io/linkerd/proxy/outbound/OutboundPolicy.js';
import type { BackoffOptions } from '../balance/exp-backoff.js';
import { CONTROL_PLANE_BACKOFF, ReconnectingClient, controlPlaneChannelOptions } from '../control-channel.js';
import { SharedWatch, type WatchCodec } from '../discovery/watch.js';
import { decodeOutboundPolicy } from './policy-decode.js';
import type { OutboundPolicyView } from './policy-types.js';

export interface OutboundPolicyOptions {
  /** The policy API, "host:port". */
  readonly address: string;
  /** TrafficSpec.source_workload: the destination context token (`{"ns":"<ns>"}`), naming the namespace of short names. */
  readonly sourceWorkload: string;
  readonly credentials?: grpc.ChannelCredentials;
  /** How long a target's first request waits for its policy (default 1 s). */
  readonly lookupTimeoutMs?: number;
  /** Unused time after which a target's watch is closed (default 60 s). */
  readonly idleMs?: number;
  readonly backoff?: BackoffOptions;
}

const CODEC: WatchCodec<OutboundPolicy__Output, OutboundPolicyView | undefined> = {
  empty: undefined,
  apply: (_prev, msg) => ({ value: decodeOutboundPolicy(msg), state: 'resolved' }),
};

interface Entry {
  readonly watch: SharedWatch<OutboundPolicy__Output, OutboundPolicyView | undefined>;
  lastUsed: number;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class OutboundPolicyClient {
  private readonly channel: ReconnectingClient<OutboundPoliciesClient>;
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly lookupTimeoutMs: number;
  private readonly idleMs: number;

  constructor(private readonly opts: OutboundPolicyOptions) {
    const proto = proxyApis() as unknown as ProtoGrpcType;
    this.channel = new ReconnectingClient((extra) => new proto.io.linkerd.proxy.outbound.OutboundPolicies(opts.address, opts.credentials ?? grpc.credentials.createInsecure(), { ...controlPlaneChannelOptions(opts.backoff ?? CONTROL_PLANE_BACKOFF), ...extra }));
    this.lookupTimeoutMs = opts.lookupTimeoutMs ?? 1000;
    this.idleMs = opts.idleMs ?? 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(10_000, this.idleMs)).unref();
  }

  private entry(target: string): Entry {
    let e = this.entries.get(target);
    if (!e) {
      const req = { sourceWorkload: this.opts.sourceWorkload, authority: target };
      const watch = new SharedWatch(target, () => this.channel.client.Watch(req), CODEC, {
        // Eviction is this class's sweep; the watch itself never idles out under a live entry.
        idleTimeoutMs: 0, backoff: this.opts.backoff ?? CONTROL_PLANE_BACKOFF, rng: Math.random, onIdle: () => {},
      });
      watch.acquire();
      e = { watch, lastUsed: Date.now() };
      this.entries.set(target, e);
    }
    e.lastUsed = Date.now();
    return e;
  }

  /**
   * The policy for a target: at once when its watch has answered (the hot path: one map
   * lookup), else a promise of the first answer, or of undefined after the lookup timeout.
   */
  lookup(target: string): OutboundPolicyView | undefined | Promise<OutboundPolicyView | undefined> {
    const { watch } = this.entry(target);
    if (watch.state !== 'pending') return watch.value;
    return Promise.race([watch.ready, delay(this.lookupTimeoutMs)]).then(() => watch.value);
  }

  /** Live target watches (tests, admin). */
  get size(): number {
    return this.entries.size;
  }

  /** Streams opened for a target so far (1 + re-subscriptions); undefined when not watched. */
  subscriptions(target: string): number | undefined {
    return this.entries.get(target)?.watch.subscriptions;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.entries) {
      if (now - e.lastUsed <= this.idleMs) continue;
      this.entries.delete(k);
      e.watch.close();
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const e of this.entries.values()) e.watch.close();
    this.entries.clear();
    this.channel.close();
  }
}
