// The proxy's inbound policy source: one WatchPort stream per inbound port, opened the first time
// the port is used (and for the ports configured up front), re-opened with backoff when the
// control plane is lost. What it enforces:
//   - the last policy the control plane sent, kept across control-plane loss;
//   - before any answer: the first lookup waits up to `initialWaitMs` for one (so a freshly
//     started proxy does not apply the default to a port a Server locks down), then uses the
//     configured default policy until an answer comes.
import { CONTROL_PLANE_BACKOFF, ReconnectingClient, controlPlaneChannelOptions } from '../control-channel.js';
import * as grpc from '@grpc/grpc-js';
import { proxyApis } from '../../api/load.js';
import type { ProtoGrpcType } from '../../api/gen/inbound.js';
import type { InboundServerPoliciesClient } from '../../api/gen/io/linkerd/proxy/inbound/InboundServerPolicies.js';
import type { Server__Output } from '../../api/gen/io/linkerd/proxy/inbound/Server.js';
import type { Logger } from '../../lib/log.js';
import { ExpBackoff } from '../balance/exp-backoff.js';
import type { BackoffOptions } from '../balance/exp-backoff.js';
import { decodeServer } from './decode.js';
import type { PortPolicy } from './types.js';
import type { PolicySource } from './source.js';


export interface PolicyClientOptions {
  readonly address: string;
  /** PortSpec.workload: `{"ns":"<ns>","pod":"<pod>"}`. */
  readonly workload: string;
  readonly defaultPolicy: PortPolicy;
  readonly initialWaitMs: number;
  readonly credentials?: grpc.ChannelCredentials;
  readonly backoff?: BackoffOptions;
  readonly log?: Logger;
}

interface PortWatch {
  /** Last policy received; undefined until the first answer. */
  policy: PortPolicy | undefined;
  /** Resolves with the first answer, or the default after initialWaitMs. */
  readonly first: Promise<PortPolicy>;
  call: grpc.ClientReadableStream<Server__Output> | undefined;
  retry: NodeJS.Timeout | undefined;
  readonly backoff: ExpBackoff;
  /** The stream failed and has not delivered since (logged once per outage). */
  lost: boolean;
}

export class PolicyClient implements PolicySource {
  private readonly channel: ReconnectingClient<InboundServerPoliciesClient>;
  private readonly ports = new Map<number, PortWatch>();
  private closed = false;

  constructor(private readonly opts: PolicyClientOptions) {
    const proto = proxyApis() as unknown as ProtoGrpcType;
    const backoff = opts.backoff ?? CONTROL_PLANE_BACKOFF;
    this.channel = new ReconnectingClient((extra) => new proto.io.linkerd.proxy.inbound.InboundServerPolicies(opts.address, opts.credentials ?? grpc.credentials.createInsecure(), { ...controlPlaneChannelOptions(backoff), ...extra }));
  }

  get(port: number): PortPolicy | Promise<PortPolicy> {
    const w = this.ports.get(port) ?? this.watch(port);
    return w.policy ?? w.first;
  }

  /** Starts watching a port ahead of its first connection. */
  watch(port: number): PortWatch {
    const existing = this.ports.get(port);
    if (existing) return existing;
    let resolveFirst!: (p: PortPolicy) => void;
    const first = new Promise<PortPolicy>((r) => (resolveFirst = r));
    const w: PortWatch = { policy: undefined, first, call: undefined, retry: undefined, backoff: new ExpBackoff(this.opts.backoff ?? CONTROL_PLANE_BACKOFF), lost: false };
    this.ports.set(port, w);
    const fallback = setTimeout(() => resolveFirst(this.opts.defaultPolicy), this.opts.initialWaitMs);
    fallback.unref();
    const open = (): void => {
      if (this.closed) return;
      const call = this.channel.client.WatchPort({ workload: this.opts.workload, port });
      w.call = call;
      call.on('data', (msg: Server__Output) => {
        w.backoff.reset();
        if (w.lost) this.opts.log?.info('inbound policy watch restored', { port });
        w.lost = false;
        const p = decodeServer(msg);
        w.policy = p;
        clearTimeout(fallback);
        resolveFirst(p);
        this.opts.log?.debug('inbound policy', { port, server: `${p.server.kind}/${p.server.name}`, authorizations: p.authorizations.length });
      });
      const again = (why: string): void => {
        if (this.closed || w.call !== call) return;
        w.call = undefined;
        // Keep enforcing the last policy; ask again later.
        // Once per outage at info; each retry after that at debug (a two-minute outage logged
        // some 25 lines per port at info).
        if (w.lost) this.opts.log?.debug('inbound policy watch still lost', { port, why });
        else this.opts.log?.info('inbound policy watch lost; keeping the last policy', { port, why });
        w.lost = true;
        w.retry = setTimeout(open, w.backoff.next());
        w.retry.unref();
      };
      call.on('error', (e: grpc.ServiceError) => again(e.details || e.message));
      call.on('end', () => again('stream ended'));
    };
    open();
    return w;
  }

  close(): void {
    this.closed = true;
    for (const w of this.ports.values()) {
      if (w.retry) clearTimeout(w.retry);
      w.call?.cancel();
    }
    this.channel.close();
  }
}
