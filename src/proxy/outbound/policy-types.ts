// The outbound policy of one target as the proxy applies it, decoded once from the policy API's
// OutboundPolicy message (policy-decode.ts): the Service (parent) it is for and its HTTPRoute
// or GRPCRoute rules. Matches, header modifiers and redirects share the inbound side's types.
import type { HeaderModifier, PolicyLabels, Redirect, RequestMatch } from '../policy/types.js';

/** Linkerd's parent_* / route_* / backend_* metric labels name resources with a namespace too. */
export interface ResourceLabels extends PolicyLabels {
  readonly namespace: string;
}

export interface ParentLabels extends ResourceLabels {
  readonly port: string;
}

/** A share of requests: `numerator / denominator`, 0..1. */
export type Ratio = number;

export interface WeightedBackend {
  /** The Service authority its endpoints are discovered by ("name.ns.svc.cluster.local:port"); "" when `forward`. */
  readonly authority: string;
  /** The request's original destination (Backend.forward: an EgressNetwork's routes). */
  readonly forward?: true;
  readonly weight: number;
  readonly labels: ParentLabels;
}

export interface RouteRetry {
  readonly maxRetries: number;
  /** HTTP: statuses that are retried, as inclusive ranges. */
  readonly statusRanges: readonly (readonly [number, number])[];
  /** gRPC: grpc-status codes that are retried. */
  readonly grpcCodes: ReadonlySet<number>;
  /** Per-try timeout (retry.linkerd.io/timeout); an attempt that exceeds it is retried. */
  readonly tryTimeoutMs: number | undefined;
}

export interface UrlRewrite {
  readonly host: string;
  readonly path: { readonly full: string } | { readonly prefix: string } | undefined;
}

export interface OutboundRule {
  readonly matches: readonly RequestMatch[];
  readonly requestHeaders: HeaderModifier | undefined;
  readonly responseHeaders: HeaderModifier | undefined;
  readonly redirect: Redirect | undefined;
  readonly rewrite: UrlRewrite | undefined;
  /** Fault injection: answer `status` (HTTP status, or grpc-status on gRPC routes) for a share of requests. */
  readonly abort: { readonly status: number; readonly message: string; readonly ratio: Ratio } | undefined;
  readonly delay: { readonly ms: number; readonly ratio: Ratio } | undefined;
  /** RequestMirror: a copy of a share of requests to another Service, answers discarded. */
  readonly mirror: { readonly authority: string; readonly ratio: Ratio; readonly labels: ParentLabels } | undefined;
  /** Empty: the parent Service itself. */
  readonly backends: readonly WeightedBackend[];
  /** Whole request, retries included (Gateway API timeouts.request). */
  readonly requestTimeoutMs: number | undefined;
  readonly retry: RouteRetry | undefined;
}

export interface OutboundRoute {
  readonly labels: ResourceLabels;
  /** Exact hosts and `.suffix` entries; empty: any host. */
  readonly hosts: readonly string[];
  readonly rules: readonly OutboundRule[];
  /** weft's outbound route limit (an HTTPLocalRateLimitPolicy naming the route): this proxy's requests per second. */
  readonly rateLimit?: { readonly rps: number; readonly name: string; readonly namespace: string } | undefined;
}

/**
 * An address outside the mesh that an EgressNetwork captures (parent kind EgressNetwork): what
 * happens to traffic its attached routes do not match — the control plane's default routes.
 */
export interface EgressView {
  /** The default route (http-egress-allow|deny, grpc-egress-*), for route_* labels. */
  readonly defaultRoute: ResourceLabels;
  /** trafficPolicy Deny: unmatched HTTP/gRPC refused (the default route injects a failure). */
  readonly httpDenied: boolean;
  /** Opaque TCP refused (the opaque default route's Forbidden filter). */
  readonly opaqueDenied: boolean;
}

export interface OutboundPolicyView {
  readonly parent: ParentLabels;
  /** Set when the target is an EgressNetwork's: `routes` then never fall back to profiles. */
  readonly egress: EgressView | undefined;
  readonly protocol: 'http' | 'grpc';
  /**
   * The Service's own routes; empty when it has none (the control plane's default route), in
   * which case the ServiceProfile path applies, as before OutboundPolicies.
   */
  readonly routes: readonly OutboundRoute[];
}
