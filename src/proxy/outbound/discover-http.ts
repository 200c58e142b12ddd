// The outbound discovery layers: for each HTTP request, look the destination up (endpoints and
// service profile), match the profile route, and hand the forward layer a balancer to pick
// from, the route's retry policy (within the destination's retry budget) and its timeout.
// Unknown destinations pass through to the original destination unchanged.
import { performance } from 'node:perf_hooks';
import { formatAddress } from '../../lib/address.js';
import { TimeoutError } from '../../lib/errors.js';
import { classifyResponse, matchRoute, pathOf } from '../discovery/route-match.js';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { DEFAULT_RETRYABLE_GRPC } from '../http/grpc-status.js';
import type { AttemptOutcome, HttpRoute } from '../http/route.js';
import type { ProfileRoute } from '../discovery/types.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { Backend, OutboundDestinations } from './destinations.js';

/** The lookup key: the original destination when there is one, else the request's authority. */
export function lookupKey(route: HttpRoute): string | undefined {
  if (route.ctx.target) return formatAddress(route.ctx.target);
  if (route.target) return formatAddress(route.target);
  return undefined;
}

/**
 * Whether a retryable profile route's attempt failed in a way worth another try: no response
 * (error or per-try timeout), a response class marked failure (by default 5xx), or a gRPC status
 * among Linkerd's default retryable ones (a ServiceProfile cannot name codes: destination.proto
 * has no field for them).
 */
export function profileRetryable(rt: ProfileRoute, o: AttemptOutcome): boolean {
  if (o.grpcStatus !== undefined && o.grpcStatus !== 0) return DEFAULT_RETRYABLE_GRPC.has(o.grpcStatus);
  return o.status === 0 || classifyResponse(rt, o.status) === 'failure';
}

export const PROFILE_RETRIES_PER_REQUEST = 1;

interface Routed {
  readonly route: HttpRoute;
  /** Call once with the final status when the response has ended. */
  finish(status: number): void;
}

export async function discoverRoute(dests: OutboundDestinations, metrics: ProxyMetrics, route: HttpRoute, method: string): Promise<Routed | undefined> {
  const key = lookupKey(route);
  const dest = key ? await dests.get(key) : undefined;
  if (!dest) return undefined;
  const rt = dest.profile ? matchRoute(dest.profile.routes, { method, path: pathOf(route.path) }) : undefined;
  const backend = dest.backend();
  dest.budget.deposit();
  let timer: NodeJS.Timeout | undefined;
  let signal: AbortSignal | undefined;
  if (rt?.timeoutMs) {
    const ac = new AbortController();
    const ms = rt.timeoutMs;
    timer = setTimeout(() => ac.abort(new TimeoutError(`request to ${dest.profile?.fullyQualifiedName || key}`, ms)), ms);
    signal = ac.signal;
  }
  // One retry per request on a profile route (the budget bounds them across requests): more in
  // a row would feed failure accrual faster than it helps.
  let retriesLeft = PROFILE_RETRIES_PER_REQUEST;
  const routed: HttpRoute = {
    ...route,
    identity: backend.identity(),
    pick: pickFrom(backend),
    ...(rt?.isRetryable ? { retry: (o: AttemptOutcome) => retriesLeft > 0 && profileRetryable(rt, o) && dest.budget.tryWithdraw() && retriesLeft-- > 0 } : {}),
    ...(signal ? { signal } : {}),
    ...(rt ? { routeName: rt.name } : {}),
    ...(rt ? { cost: metrics.startRouteCost() } : {}),
  };
  return {
    route: routed,
    finish(status) {
      clearTimeout(timer);
      if (!rt) return;
      const labels = { direction: 'outbound' as const, dst: dest.profile?.fullyQualifiedName || (key as string), rt_route: rt.name };
      metrics.routeFinished(labels, status, classifyResponse(rt, status), performance.now() - route.startMs, routed.cost);
    },
  };
}

/**
 * An Upgrade (WebSocket) request's route: endpoints and identity only. A tunnel is not a
 * request the route's policy applies to — it is never retried and outlives any request timeout —
 * so it neither deposits into the retry budget nor arms a timeout timer.
 */
export async function discoverUpgrade(dests: OutboundDestinations, route: HttpRoute): Promise<HttpRoute> {
  const key = lookupKey(route);
  const dest = key ? await dests.get(key) : undefined;
  if (!dest) return route;
  const backend = dest.backend();
  return {
    ...route,
    identity: backend.identity(),
    pick: pickFrom(backend),
  };
}

/** Per-attempt endpoint choice from a backend's balancer (a profile's or an HTTPRoute's). */
export function pickFrom(backend: Backend): NonNullable<HttpRoute['pick']> {
  return () => {
    const lease = backend.http.pick();
    const e = lease.endpoint;
    return { target: { host: e.host, port: e.port }, identity: e.identity, connected: () => lease.connected(), done: (ok) => lease.end(ok) };
  };
}

export function discoverH1(dests: OutboundDestinations, metrics: ProxyMetrics): H1Layer {
  return (next) => (req, res, route) => {
    discoverRoute(dests, metrics, route, req.method).then(
      (r) => {
        if (!r) return next(req, res, route);
        res.onClose(() => r.finish(res.headersSent ? res.statusCode : 0));
        next(req, res, r.route);
      },
      () => next(req, res, route),
    );
  };
}

export function discoverH2(dests: OutboundDestinations, metrics: ProxyMetrics): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    discoverRoute(dests, metrics, route, String(headers[':method'] ?? 'GET')).then(
      (r) => {
        if (!r) return next(stream, headers, flags, route);
        stream.once('close', () => r.finish(Number(stream.sentHeaders?.[':status'] ?? 0)));
        next(stream, headers, flags, r.route);
      },
      () => next(stream, headers, flags, route),
    );
  };
}
