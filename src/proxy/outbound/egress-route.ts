// Requests to an address an EgressNetwork captures (Linkerd 2.17 egress), in the policy route
// layer: a request one of the EgressNetwork's routes matches is routed by it (its backend is the
// original destination, policy-route.ts' routeTo → forwardedRoute); any other request meets the
// EgressNetwork's trafficPolicy here:
//   - Allow: on to the original destination, counted by the route metrics under the
//     EgressNetwork (parent_kind="EgressNetwork") and the default route (http-egress-allow);
//   - Deny: refused by the proxy, nothing sent: HTTP 403 / gRPC PERMISSION_DENIED with
//     `weft-proxy-error` naming the EgressNetwork, counted in outbound_egress_denied_total.
import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { H1Handler } from '../http/h1-forward.js';
import type { H2Handler } from '../http/h2-forward.js';
import type { H1Request } from '../http/h1/request.js';
import type { H1Response } from '../http/h1/response.js';
import type { HttpRoute } from '../http/route.js';
import type { EgressMetrics } from './egress-metrics.js';
import { failH2 } from './h2-local-response.js';
import { isGrpcContentType } from '../http/grpc-status.js';
import type { EgressView, OutboundPolicyView } from './policy-types.js';
import { OutboundRouteMetrics, type RouteLabelValues } from './route-metrics.js';

export interface EgressDeps {
  readonly metrics: OutboundRouteMetrics;
  readonly egress: EgressMetrics;
}

/** PERMISSION_DENIED, as Linkerd's controller asks for gRPC (GrpcFailureInjector code 7). */
const GRPC_PERMISSION_DENIED = 7;

/** Why a request was refused, naming the rule: the EgressNetwork and its trafficPolicy. */
export function egressDenial(view: OutboundPolicyView, target: string): string {
  return `traffic not allowed: egress to ${target} denied by EgressNetwork ${view.parent.namespace}/${view.parent.name} (trafficPolicy Deny)`;
}

function defaultLabels(view: OutboundPolicyView, egress: EgressView): RouteLabelValues {
  return OutboundRouteMetrics.labels(view.parent, { labels: egress.defaultRoute, hosts: [], rules: [] });
}

/** Where the request goes: the original destination's address (or the authority in proxy form). */
function targetOf(route: HttpRoute): string {
  const t = route.ctx.target ?? route.target;
  return t ? `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}` : route.authority;
}

/** An HTTP/1 request to an EgressNetwork's address that none of its routes matched. */
export function egressH1(d: EgressDeps, view: OutboundPolicyView, egress: EgressView, req: H1Request, res: H1Response, route: HttpRoute, host: string, next: H1Handler): void {
  const labels = defaultLabels(view, egress);
  if (egress.httpDenied) {
    req.discardBody();
    res.respondError(403, 'Forbidden', egressDenial(view, targetOf(route)));
    d.egress.deny(view.parent, 'http');
    return d.metrics.finished('http', labels, host, '403', 'FORBIDDEN', 0);
  }
  const start = route.startMs;
  res.onClose((finished) => d.metrics.finished('http', labels, host, res.headersSent ? String(res.statusCode) : '', finished ? '' : 'UNEXPECTED', (performance.now() - start) / 1000));
  next(req, res, { ...route, routeName: egress.defaultRoute.name });
}

/** The same for HTTP/2 and gRPC (`protocol` names the route metrics family). */
export function egressH2(
  d: EgressDeps, view: OutboundPolicyView, egress: EgressView,
  stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, route: HttpRoute, host: string, protocol: 'http' | 'grpc', next: H2Handler,
  sentStatus: (s: ServerHttp2Stream) => string,
): void {
  const labels = defaultLabels(view, egress);
  if (egress.httpDenied) {
    failH2(stream, headers, 403, GRPC_PERMISSION_DENIED, egressDenial(view, targetOf(route)));
    const grpc = isGrpcContentType(headers);
    d.egress.deny(view.parent, grpc ? 'grpc' : 'http');
    // The status label says what was sent: grpc-status on gRPC routes, else :status (gRPC: 200).
    const status = protocol === 'grpc' ? String(GRPC_PERMISSION_DENIED) : grpc ? '200' : '403';
    return d.metrics.finished(protocol, labels, host, status, 'FORBIDDEN', 0);
  }
  const start = route.startMs;
  stream.once('close', () => d.metrics.finished(protocol, labels, host, sentStatus(stream), stream.sentHeaders ? '' : 'UNEXPECTED', (performance.now() - start) / 1000));
  next(stream, headers, flags, { ...route, routeName: egress.defaultRoute.name });
}
