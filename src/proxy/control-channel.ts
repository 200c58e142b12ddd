// gRPC channel options for the proxy's control-plane clients (destination, policy): the same
// reconnect pacing and dead-peer detection for both.
import type { ChannelOptions } from '@grpc/grpc-js';
import type { BackoffOptions } from './balance/exp-backoff.js';

/** 100 ms .. 500 ms: a returning control plane is used within 1 s however long it was away. */
export const CONTROL_PLANE_BACKOFF: BackoffOptions = Object.freeze({ minMs: 100, maxMs: 500, jitter: 0.5 });

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
