// gRPC channels for the proxy's control-plane clients (destination, policy, identity): the same
// reconnect pacing, dead-peer detection and connect timeout for all of them.
import * as grpc from '@grpc/grpc-js';
import type { ChannelOptions } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import type { BackoffOptions } from './balance/exp-backoff.js';

/** 100 ms .. 500 ms: a returning control plane is used within 1 s however long it was away. */
export const CONTROL_PLANE_BACKOFF: BackoffOptions = Object.freeze({ minMs: 100, maxMs: 500, jitter: 0.5 });

/**
 * A channel that has not connected for this long is replaced by a new one. grpc-js gives a TCP
 * connect no timeout of its own, so one SYN that goes unanswered holds the channel for the
 * kernel's SYN retries (~127 s). That is what happened on a real node after the destination
 * pod restarted (test/e2e/k8s-node.test.ts): a connect made while kube-proxy still mapped the
 * Service IP to the deleted pod kept retransmitting on the same conntrack entry to that pod,
 * and the proxies followed endpoint changes again only 60-125 s later, though the new pod had
 * been serving for all of that time. A new channel connects from a new source port, so the
 * Service IP is mapped afresh.
 */
export const CONTROL_PLANE_CONNECT_TIMEOUT_MS = 3000;

export function controlPlaneChannelOptions(backoff: BackoffOptions): ChannelOptions {
  return {
    // The channel's own reconnect backoff (grpc-js default: 1 s growing to 120 s) would hold
    // re-subscriptions back long after the control plane is up again: align it with ours.
    'grpc.initial_reconnect_backoff_ms': Math.max(1, Math.round(backoff.minMs)),
    'grpc.max_reconnect_backoff_ms': Math.max(1, Math.round(backoff.maxMs)),
    // Notice a control plane that went away without closing the connection (a deleted pod
    // behind a Service IP sends no RST): within 15 s, as Linkerd's 10 s HTTP/2 keepalive does.
    // At 30 s + 10 s, a destination pod's restart took ~50 s to reach the proxies on a real node.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
  };
}

/**
 * What ReconnectingClient adds to each channel it makes: subchannels of its own. grpc-js shares
 * them between channels with the same target by default, and a replacement channel would
 * inherit the stuck connect.
 */
const OWN_SUBCHANNELS: ChannelOptions = Object.freeze({ 'grpc.use_local_subchannel_pool': 1 });

/**
 * Holds a control-plane client and replaces it when its channel has been connecting (or
 * failing to) for longer than `connectTimeoutMs`. Callers take `client` at each call, so a
 * stream that re-subscribes after a failure uses the newest channel. During a real outage the
 * channel is rebuilt once per timeout: a new DNS lookup and connect, nothing more. `make`
 * builds a client with the given channel options added to its own.
 */
export class ReconnectingClient<C extends grpc.Client> {
  private current: C;
  private notReadySince: number | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Channels replaced so far (tests, logs). */
  rebuilds = 0;

  constructor(
    private readonly make: (extra: ChannelOptions) => C,
    private readonly connectTimeoutMs = CONTROL_PLANE_CONNECT_TIMEOUT_MS,
  ) {
    this.current = make(OWN_SUBCHANNELS);
    this.timer = setInterval(() => this.check(), Math.max(50, Math.round(connectTimeoutMs / 4)));
    this.timer.unref();
  }

  get client(): C {
    return this.current;
  }

  private check(): void {
    const state = this.current.getChannel().getConnectivityState(false);
    if (state !== grpc.connectivityState.CONNECTING && state !== grpc.connectivityState.TRANSIENT_FAILURE) {
      this.notReadySince = undefined;
      return;
    }
    const now = performance.now();
    this.notReadySince ??= now;
    if (now - this.notReadySince < this.connectTimeoutMs) return;
    const old = this.current;
    this.current = this.make(OWN_SUBCHANNELS);
    this.notReadySince = undefined;
    this.rebuilds++;
    old.close();
  }

  close(): void {
    clearInterval(this.timer);
    this.current.close();
  }
}
