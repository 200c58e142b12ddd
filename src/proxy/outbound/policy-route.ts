// Outbound routing by OutboundPolicies (HTTPRoute / GRPCRoute), as an H1 and an H2 layer that
// stands in front of the ServiceProfile discovery layer: a target whose Service has routes is
// routed here (the HTTPRoute wins over a ServiceProfile, as in Linkerd); any other target goes
// on to the profile path exactly as before — one map lookup when the policy is known.
// Per request, in this order:
//   match (Gateway API precedence; no rule matches: 404 / gRPC UNIMPLEMENTED, or for an
//          EgressNetwork's address its trafficPolicy: egress-route.ts)
//   -> the route's rate limit (route-rate-limit.ts: 429 / RESOURCE_EXHAUSTED)
//   -> fault injection: abort (status, ratio), then delay (ms, ratio)
//   -> RequestRedirect (3xx, nothing sent upstream)
//   -> RequestHeaderModifier, URLRewrite, ResponseHeaderModifier, RequestMirror (mirror.ts)
//   -> backend by weight (each a Service: its own destination watch and EWMA balancer)
//   -> retry decision (status ranges / gRPC codes / per-try timeout, within route limit and the
//      backend's retry budget), request timeout (504 / DEADLINE_EXCEEDED), route name for tap
//   -> metrics per route once the response has ended (route-metrics.ts).
import { performance } from 'node:perf_hooks';
import type { ServerHttp2Stream } from 'node:http2';
import { TimeoutError, WeftError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { H1Layer } from '../http/h1-forward.js';
import { sendProxyError } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { respondH2Error } from '../http/h2-forward.js';
import { getHeader } from '../http/h1/headers.js';
import type { AttemptOutcome, HttpRoute } from '../http/route.js';
import { matchRoute, splitTarget, type RequestInfo } from '../policy/http-route-match.js';
import type { RequestMatch } from '../policy/types.js';
import type { OutboundDestinations } from './destinations.js';
import { lookupKey, pickFrom } from './discover-http.js';
import { modifyFlat } from '../http/h1/headers.js';
import {
  modifyObject, modifyResponseH1, modifyResponseH2, redirectLocation, rewriteH1, rewriteH2,
} from './policy-filters.js';
import type { OutboundPolicyClient } from './policy-client.js';
import type { OutboundPolicyView, OutboundRoute, OutboundRule, RouteRetry, WeightedBackend } from './policy-types.js';
import { OutboundRouteMetrics, type RouteLabelValues } from './route-metrics.js';
import { Mirror } from './mirror.js';
import { RouteRateLimits } from './route-rate-limit.js';
import type { MeshConnector } from '../mesh/connector.js';
import { constants as h2constants } from 'node:http2';
import { egressH1, egressH2 } from './egress-route.js';
import type { EgressMetrics } from './egress-metrics.js';
import { policyFor, type HostAddresses } from './egress-lookup.js';
import { failH2, respond } from './h2-local-response.js';
import type { ProxyMetrics } from '../metrics/registry.js';

/** No rule of the target's routes matches the request (Linkerd: 404, gRPC UNIMPLEMENTED). */
export class NoRouteError extends WeftError {
  constructor(target: string, method: string, path: string) {
    super('WEFT_ERR_NO_ROUTE', `no route of ${target} matches ${method} ${path}`);
  }
}

/** The backend a route chose is not known to discovery (503, gRPC UNAVAILABLE). */
class BackendUnknownError extends WeftError {
  constructor(route: string, authority: string) {
    super('WEFT_ERR_NO_ENDPOINTS', `backend ${authority} of route ${route} is unknown to discovery`);
  }
}

export interface PolicyRouteDeps {
  readonly policies: OutboundPolicyClient;
  readonly dests: OutboundDestinations;
  readonly metrics: OutboundRouteMetrics;
  readonly log: Logger;
  /** Fault ratios, mirror shares and backend weights (injected so tests can seed it). */
  readonly rng: () => number;
  readonly mirror: Mirror;
  readonly rateLimits: RouteRateLimits;
  readonly egress: EgressMetrics;
  /** Proxy-form hosts no Service has, resolved to ask for their address's policy (egress). */
  readonly hosts: HostAddresses;
}

export type Protocol = 'http' | 'grpc';

interface Matched {
  readonly view: OutboundPolicyView;
  readonly route: OutboundRoute;
  readonly rule: OutboundRule;
  readonly match: RequestMatch;
  readonly labels: RouteLabelValues;
  readonly info: RequestInfo;
}

/** What the layer hands the forward layers for a routed request, and how it reports the end. */
interface Routed {
  readonly route: HttpRoute;
  finish(status: string, error: string): void;
}

function pickBackend(rule: OutboundRule, rng: () => number): WeightedBackend | undefined {
  const bs = rule.backends;
  if (bs.length <= 1) return bs[0];
  const total = bs.reduce((n, b) => n + b.weight, 0);
  let x = rng() * total;
  for (const b of bs) {
    x -= b.weight;
    if (x < 0) return b;
  }
  return bs[bs.length - 1];
}

function inRanges(status: number, ranges: RouteRetry['statusRanges']): boolean {
  for (const [a, b] of ranges) if (status >= a && status <= b) return true;
  return false;
}

/**
 * The retry decision for one request under a route's retry policy: Linkerd's conditions (HTTP
 * status ranges, or gRPC codes; no response at all and a per-try timeout are always retryable),
 * at most `maxRetries`, each one withdrawn from the backend's retry budget. Exported for tests:
 * the forward layers call it through `HttpRoute.retry`.
 */
export function retryDecision(r: RouteRetry, protocol: Protocol, budget: { tryWithdraw(): boolean }, onRetry: () => void): (o: AttemptOutcome) => boolean {
  let retries = 0;
  return (o) => {
    if (retries >= r.maxRetries) return false;
    const retryable = o.timedOut === true || o.status === 0
      || (protocol === 'grpc' ? o.grpcStatus !== undefined && r.grpcCodes.has(o.grpcStatus) : inRanges(o.status, r.statusRanges));
    if (!retryable || !budget.tryWithdraw()) return false;
    retries++;
    onRetry();
    return true;
  };
}

/** The backend's part of the route: a Service's balancer and retries, or the original destination. */
async function backendOf(d: PolicyRouteDeps, m: Matched, b: WeightedBackend | undefined, route: HttpRoute, protocol: Protocol): Promise<Partial<HttpRoute>> {
  // An EgressNetwork route's backend: the original destination as it is (route.target). No
  // retries: there is no Service budget to draw them from.
  if (b?.forward) return {};
  const authority = b?.authority ?? lookupKey(route) ?? route.authority;
  const dest = await d.dests.get(authority);
  if (!dest) throw new BackendUnknownError(m.route.labels.name, authority);
  const backend = dest.direct();
  dest.budget.deposit();
  const retry = m.rule.retry ? retryDecision(m.rule.retry, protocol, dest.budget, () => d.metrics.retried(protocol, m.labels)) : undefined;
  const tryTimeoutMs = m.rule.retry?.tryTimeoutMs;
  return {
    identity: backend.identity(),
    pick: pickFrom(backend),
    ...(retry ? { retry } : {}),
    ...(tryTimeoutMs ? { tryTimeoutMs } : {}),
  };
}

/** The route for the forward layers: a backend's balancer, retry, timeouts, route name. */
async function routeTo(d: PolicyRouteDeps, m: Matched, route: HttpRoute, protocol: Protocol, path: string): Promise<Routed> {
  const b = pickBackend(m.rule, d.rng);
  const via = await backendOf(d, m, b, route, protocol);
  if (b) d.metrics.backend(protocol, m.labels, b);
  let timer: NodeJS.Timeout | undefined;
  let signal: AbortSignal | undefined;
  const ms = m.rule.requestTimeoutMs;
  if (ms) {
    const ac = new AbortController();
    timer = setTimeout(() => ac.abort(new TimeoutError(`request on route ${m.route.labels.kind}/${m.route.labels.name}`, ms)), ms);
    signal = ac.signal;
  }
  const cost = d.metrics.startCost();
  const routed: HttpRoute = {
    ...route,
    path,
    ...via,
    routeName: m.route.labels.name,
    ...(cost ? { cost } : {}),
    ...(signal ? { signal } : {}),
  };
  const start = route.startMs;
  return {
    route: routed,
    finish(status, error) {
      clearTimeout(timer);
      d.metrics.finished(protocol, m.labels, m.info.host, status, signal?.aborted ? 'TIMEOUT' : error, (performance.now() - start) / 1000, cost);
    },
  };
}

/** The matched route, `null` when none matches (an EgressNetwork's traffic policy, else 404). */
function select(view: OutboundPolicyView, info: RequestInfo): Matched | null {
  const m = view.routes.length > 0 ? matchRoute(view.routes, info) : undefined;
  if (!m) return null;
  return { view, route: m.route, rule: m.rule, match: m.match, labels: OutboundRouteMetrics.labels(view.parent, m.route), info };
}

/** Runs `go` with the target's policy: now when known, else once the first answer (or timeout) is in. */
function withPolicy(d: PolicyRouteDeps, route: HttpRoute, go: (v: OutboundPolicyView | undefined) => void): void {
  const target = route.ctx.target ?? route.target;
  const v = target ? policyFor(d.policies, d.hosts, target) : undefined;
  if (v instanceof Promise) v.then(go, () => go(undefined));
  else go(v);
}

const after = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fault injection's delay, when this request draws it. */
function faultDelay(d: PolicyRouteDeps, m: Matched): Promise<void> | undefined {
  const f = m.rule.delay;
  if (!f || d.rng() >= f.ratio) return undefined;
  d.metrics.fault(m.labels, 'delay');
  return after(f.ms);
}

function draws(d: PolicyRouteDeps, m: Matched): OutboundRule['abort'] {
  const f = m.rule.abort;
  if (!f || d.rng() >= f.ratio) return undefined;
  d.metrics.fault(m.labels, 'abort');
  return f;
}

export function policyRouteH1(d: PolicyRouteDeps, viaProfile: H1Layer): H1Layer {
  return (next) => {
    const profile = viaProfile(next);
    return (req, res, route) => withPolicy(d, route, (view) => {
      if (!view || (view.routes.length === 0 && !view.egress)) return profile(req, res, route);
      const { path, query } = splitTarget(route.path);
      const info: RequestInfo = { method: req.method, path, query, host: route.authority, header: (n) => getHeader(req.headers, n) };
      const m = select(view, info);
      if (!m) {
        if (view.egress) return egressH1(d, view, view.egress, req, res, route, info.host, next);
        req.discardBody();
        return res.respondError(404, 'Not Found', new NoRouteError(`${view.parent.kind}/${view.parent.name}`, req.method, path).message);
      }
      const limited = d.rateLimits.refuse(m.route);
      if (limited) {
        req.discardBody();
        res.respondError(429, 'Too Many Requests', limited);
        return d.metrics.finished('http', m.labels, info.host, '429', 'RATE_LIMITED', 0);
      }
      const abort = draws(d, m);
      if (abort) {
        req.discardBody();
        res.respondError(abort.status, 'Fault Injected', abort.message || `fault injected by route ${m.route.labels.name}`);
        return d.metrics.finished('http', m.labels, info.host, String(abort.status), 'FAULT', 0);
      }
      const go = (): void => {
        const rule = m.rule;
        if (rule.redirect) {
          req.discardBody();
          const r = rule.redirect;
          res.writeHead(r.status, r.status === 301 ? 'Moved Permanently' : 'Found', ['location', redirectLocation(r, info.host, path, query, m.match)], { kind: 'length', length: 0 });
          res.end();
          return d.metrics.finished('http', m.labels, info.host, String(r.status), '', 0);
        }
        if (rule.requestHeaders) modifyFlat(req.headers, rule.requestHeaders);
        const target = rule.rewrite ? rewriteH1(req, path, query, rule.rewrite, m.match) : route.path;
        const authority = rule.rewrite?.host || route.authority;
        if (rule.responseHeaders) modifyResponseH1(res, rule.responseHeaders);
        if (rule.mirror && d.rng() < rule.mirror.ratio) d.mirror.h1(req, rule.mirror.authority, target, m.labels);
        routeTo(d, m, { ...route, authority }, 'http', target).then(
          (r) => {
            res.onClose((finished) => r.finish(res.headersSent ? String(res.statusCode) : '', finished ? '' : 'UNEXPECTED'));
            next(req, res, r.route);
          },
          (err: unknown) => {
            req.discardBody();
            sendProxyError(res, err);
            d.metrics.finished('http', m.labels, info.host, String(res.statusCode || ''), 'UNEXPECTED', 0);
          },
        );
      };
      const wait = faultDelay(d, m);
      if (wait) void wait.then(go);
      else go();
    });
  };
}

/** The status label of what the stream sent: its grpc-status on gRPC routes, else its :status. */
function sentStatus(stream: ServerHttp2Stream, protocol: Protocol): string {
  return protocol === 'grpc' ? sentGrpcStatus(stream) : String(stream.sentHeaders?.[':status'] ?? '');
}

/** grpc-status of what the stream sent (trailers, or a trailers-only response), else "". */
function sentGrpcStatus(stream: ServerHttp2Stream): string {
  const t = (stream as ServerHttp2Stream & { sentTrailers?: Record<string, unknown> }).sentTrailers?.['grpc-status'] ?? stream.sentHeaders?.['grpc-status'];
  return t === undefined ? '' : String(t);
}

export function policyRouteH2(d: PolicyRouteDeps, viaProfile: H2Layer): H2Layer {
  return (next) => {
    const profile = viaProfile(next);
    return (stream, headers, flags, route) => withPolicy(d, route, (view) => {
      if (!view || (view.routes.length === 0 && !view.egress)) return profile(stream, headers, flags, route);
      const { path, query } = splitTarget(headers[':path'] ?? '/');
      const header = (n: string): string | undefined => {
        const v = headers[n];
        return Array.isArray(v) ? v.join(',') : v;
      };
      const method = headers[':method'] ?? 'GET';
      const info: RequestInfo = { method, path, query, host: headers[':authority'] ?? route.authority, header };
      const protocol: Protocol = view.protocol === 'grpc' ? 'grpc' : 'http';
      const m = select(view, info);
      if (!m && view.egress) return egressH2(d, view, view.egress, stream, headers, flags, route, info.host, protocol, next, (st) => sentStatus(st, protocol));
      if (!m) return failH2(stream, headers, 404, 12, new NoRouteError(`${view.parent.kind}/${view.parent.name}`, method, path).message);
      const limited = d.rateLimits.refuse(m.route);
      if (limited) {
        failH2(stream, headers, 429, 8, limited); // gRPC: RESOURCE_EXHAUSTED
        return d.metrics.finished(protocol, m.labels, info.host, protocol === 'grpc' ? '8' : '429', 'RATE_LIMITED', 0);
      }
      const abort = draws(d, m);
      if (abort) {
        const why = abort.message || `fault injected by route ${m.route.labels.name}`;
        // On a GRPCRoute the status is a gRPC code; on an HTTPRoute an HTTP status (gRPC clients get UNAVAILABLE for 5xx).
        if (protocol === 'grpc') failH2(stream, headers, 500, abort.status, why);
        else failH2(stream, headers, abort.status, 14, why);
        return d.metrics.finished(protocol, m.labels, info.host, String(abort.status), 'FAULT', 0);
      }
      const go = (): void => {
        const rule = m.rule;
        if (rule.redirect) {
          respond(stream, { ':status': rule.redirect.status, location: redirectLocation(rule.redirect, info.host, path, query, m.match) });
          return d.metrics.finished(protocol, m.labels, info.host, String(rule.redirect.status), '', 0);
        }
        if (rule.requestHeaders) modifyObject(headers, rule.requestHeaders);
        const target = rule.rewrite ? rewriteH2(headers, path, query, rule.rewrite, m.match) : route.path;
        const authority = rule.rewrite?.host || route.authority;
        if (rule.responseHeaders) modifyResponseH2(stream, rule.responseHeaders);
        const mirrorBody = rule.mirror && d.rng() < rule.mirror.ratio ? d.mirror.h2(headers, (flags & h2constants.NGHTTP2_FLAG_END_STREAM) !== 0, rule.mirror.authority, m.labels) : undefined;
        routeTo(d, m, { ...route, authority, ...(mirrorBody ? { onRequestBody: mirrorBody } : {}) }, protocol, target).then(
          (r) => {
            stream.once('close', () => r.finish(sentStatus(stream, protocol), stream.sentHeaders ? '' : 'UNEXPECTED'));
            next(stream, headers, flags, r.route);
          },
          (err: unknown) => {
            respondH2Error(stream, headers, err);
            d.metrics.finished(protocol, m.labels, info.host, '', 'UNEXPECTED', 0);
          },
        );
      };
      const wait = faultDelay(d, m);
      if (wait) void wait.then(go);
      else go();
    });
  };
}

/** Both layers over one client, one mirror and one set of route metrics (registered once per proxy). */
export function policyRoutes(
  deps: {
    policies: OutboundPolicyClient; dests: OutboundDestinations; metrics: ProxyMetrics; log: Logger;
    mesh: MeshConnector | undefined; mirrorMaxInFlight: number; egress: EgressMetrics; hosts: HostAddresses; rng?: () => number;
  },
  profile: { h1: H1Layer; h2: H2Layer },
): { h1: H1Layer; h2: H2Layer } {
  const d: PolicyRouteDeps = {
    policies: deps.policies, dests: deps.dests, metrics: new OutboundRouteMetrics(deps.metrics), log: deps.log.child('routes'), rng: deps.rng ?? Math.random,
    mirror: new Mirror({ dests: deps.dests, mesh: deps.mesh, maxInFlight: deps.mirrorMaxInFlight }, deps.metrics),
    rateLimits: new RouteRateLimits(deps.metrics),
    egress: deps.egress,
    hosts: deps.hosts,
  };
  return { h1: policyRouteH1(d, profile.h1), h2: policyRouteH2(d, profile.h2) };
}
