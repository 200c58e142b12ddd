// Where one HTTP request goes: decided by the routing layer (proxy-form URI, :authority, or the
// connection's original destination), read by the layers below it (metrics, forward).
import type { Address } from '../../lib/address.js';
import { formatAddress, parseAuthority } from '../../lib/address.js';
import type { ConnContext } from '../context.js';
import type { RequestCost } from '../metrics/route-cost.js';

/** One attempt's endpoint, as a balancer picked it. `done` reports the outcome back to it. */
export interface PickedEndpoint {
  readonly target: Address;
  readonly identity: string | undefined;
  /** The attempt waited for a new connection and is sent now (the balancer times it from here). */
  connected?(): void;
  done(ok: boolean): void;
}

/** What one attempt ended with, for the route's retry decision. */
export interface AttemptOutcome {
  /** The response status; 0 when there was none (connection error, reset, per-try timeout). */
  readonly status: number;
  /** grpc-status from the response's headers or trailers, when it carried one. */
  readonly grpcStatus?: number;
  /** The attempt's per-try timeout fired. */
  readonly timedOut?: boolean;
}

/**
 * Marks of the time a request spent waiting on its upstream, kept only while the access log is
 * on (its processing_ns is the rest): an attempt starts waiting when it asks for a connection,
 * and stops when the upstream's response head arrives.
 */
export interface UpstreamClock {
  waiting(): void;
  answered(): void;
}

export interface HttpRoute {
  readonly ctx: ConnContext;
  /** The authority the client asked for (Host / :authority / proxy-form URI), for metrics. */
  readonly authority: string;
  readonly target: Address | undefined;
  /** The identity the target must prove (mTLS to a meshed peer); undefined: plaintext. */
  readonly identity?: string | undefined;
  /** The request-target to send upstream (origin-form). */
  readonly path: string;
  /** Start of the request, from performance.now(), for latency. */
  readonly startMs: number;
  /** Per-attempt endpoint choice (load balancer); absent: `target`/`identity` as they are. */
  readonly pick?: () => PickedEndpoint;
  /**
   * Asked after each attempt that did not succeed: may this request be sent again? True also
   * withdraws from the retry budget/limit, so ask only when a retry is otherwise possible (the
   * body is still buffered, the client is still there).
   */
  readonly retry?: (outcome: AttemptOutcome) => boolean;
  /** Per-attempt timeout (Linkerd's retry.linkerd.io/timeout); its expiry is an outcome with timedOut. */
  readonly tryTimeoutMs?: number;
  /** Aborts the request (route timeout); its reason becomes the proxy's error response. */
  readonly signal?: AbortSignal;
  /** The ServiceProfile route the request matched (tap's route metadata). */
  readonly routeName?: string;
  /** Set by the routing layer for a request on a named route: its bytes and sampled CPU (metrics/route-cost.ts). */
  readonly cost?: RequestCost | undefined;
  /** Set by the access log (inbound, when on): the forward layers mark upstream waits on it. */
  readonly upstreamClock?: UpstreamClock | undefined;
  /**
   * HTTP/2: told once, when the request's body has all arrived, with the body the forward layer
   * kept (within its retry buffer), or undefined when it outgrew the buffer or the stream closed
   * first. A RequestMirror copies it.
   */
  readonly onRequestBody?: (body: Buffer | undefined) => void;
}

const NOTHING_TO_REPORT = (): void => {};

/** The endpoint of one attempt: the balancer's pick, or the route's fixed target. */
export function pickEndpoint(route: HttpRoute): PickedEndpoint | undefined {
  if (route.pick) return route.pick();
  if (!route.target) return undefined;
  return { target: route.target, identity: route.identity, done: NOTHING_TO_REPORT };
}

/**
 * Splits an HTTP/1 request-target: proxy-form ("http://host:port/path") names its own
 * destination, origin-form ("/path") goes to the connection's destination.
 */
export function routeFromRequestTarget(url: string, host: string | undefined, ctx: ConnContext, startMs: number): HttpRoute {
  if (url.startsWith('http://')) {
    const slash = url.indexOf('/', 7);
    const authority = slash < 0 ? url.slice(7) : url.slice(7, slash);
    const path = slash < 0 ? '/' : url.slice(slash);
    return { ctx, authority, target: parseAuthority(authority, 80), path, startMs };
  }
  const authority = host ?? (ctx.target ? formatAddress(ctx.target) : '');
  return { ctx, authority, target: ctx.target, path: url, startMs };
}
