// Policy resources in the store, in Kubernetes shapes (only the fields weft uses): Linkerd's
// policy kinds (Server, AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication,
// HTTPLocalRateLimitPolicy), Gateway API routes (HTTPRoute, GRPCRoute) and the Pods that
// Servers select. Each keeps the apiVersion it was written with: `policy.weft.io/*` and
// Linkerd's `policy.linkerd.io/*` load into the same shape, so Linkerd manifests apply unchanged.
import type { ObjectMeta } from './types.js';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** Kubernetes LabelSelector; empty selects every pod in the namespace. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export interface ContainerPort {
  readonly name: string;
  readonly containerPort: number;
}

/** core/v1 Pod: what Servers select (labels, named ports) and what identity it runs as. */
export interface Pod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly serviceAccountName: string;
    readonly ports: readonly ContainerPort[];
  };
}

export const PROXY_PROTOCOLS = ['unknown', 'HTTP/1', 'HTTP/2', 'gRPC', 'opaque', 'TLS'] as const;
export type ProxyProtocolName = (typeof PROXY_PROTOCOLS)[number];

export const DEFAULT_POLICIES = [
  'all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit',
] as const;
export type DefaultPolicy = (typeof DEFAULT_POLICIES)[number];

export interface Server {
  readonly apiVersion: string;
  readonly kind: 'Server';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly podSelector: LabelSelector;
    /** A port number or a container port's name. */
    readonly port: number | string;
    readonly proxyProtocol: ProxyProtocolName;
    /** v1beta3: what applies to clients no AuthorizationPolicy allows (default deny). */
    readonly accessPolicy: DefaultPolicy;
  };
}

/** A reference to another object (group "" = core). */
export interface PolicyRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** Undefined: the referring object's namespace. */
  readonly namespace: string | undefined;
}

export interface AuthorizationPolicy {
  readonly apiVersion: string;
  readonly kind: 'AuthorizationPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Server, HTTPRoute, GRPCRoute or Namespace. */
    readonly targetRef: PolicyRef;
    /** MeshTLSAuthentication, NetworkAuthentication, ServiceAccount or JWTAuthentication; all must hold. */
    readonly requiredAuthenticationRefs: readonly PolicyRef[];
  };
}

export interface MeshTLSAuthentication {
  readonly apiVersion: string;
  readonly kind: 'MeshTLSAuthentication';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Identities, `*` for any, `*.ns.serviceaccount.identity.weft.cluster.local`-style suffixes. */
    readonly identities: readonly string[];
    /** ServiceAccount or Namespace references (kind ServiceAccount with name `*` = any). */
    readonly identityRefs: readonly PolicyRef[];
  };
}

export interface NetworkSpec {
  readonly cidr: string;
  readonly except: readonly string[];
}

export interface NetworkAuthentication {
  readonly apiVersion: string;
  readonly kind: 'NetworkAuthentication';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly networks: readonly NetworkSpec[] };
}

/** A claim a JWT must carry: one of `values` (or, for an array claim, contain one of them). */
export interface JwtClaimSpec {
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * weft's own authentication kind (policy.weft.io): the request carries a bearer JWT signed by a
 * key of `jwks` (a file the controller reads, or a URL the proxy fetches and refreshes), from
 * `issuer`, for one of `audiences`, with the claims required.
 */
export interface JWTAuthentication {
  readonly apiVersion: string;
  readonly kind: 'JWTAuthentication';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly issuer: string;
    readonly audiences: readonly string[];
    readonly jwks: { readonly file: string } | { readonly url: string };
    readonly claims: readonly JwtClaimSpec[];
  };
}

export interface RateLimitOverride {
  readonly requestsPerSecond: number;
  /** ServiceAccount references. */
  readonly clientRefs: readonly PolicyRef[];
}

export interface HTTPLocalRateLimitPolicy {
  readonly apiVersion: string;
  readonly kind: 'HTTPLocalRateLimitPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly targetRef: PolicyRef;
    readonly total: number | undefined;
    readonly identity: number | undefined;
    readonly overrides: readonly RateLimitOverride[];
  };
}

export interface ParentRef extends PolicyRef {
  readonly port: number | undefined;
}

export interface StringMatch {
  readonly type: 'Exact' | 'RegularExpression';
  readonly name: string;
  readonly value: string;
}

export interface PathMatchSpec {
  readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  readonly value: string;
}

export interface HttpRouteMatchSpec {
  readonly path: PathMatchSpec | undefined;
  readonly headers: readonly StringMatch[];
  readonly queryParams: readonly StringMatch[];
  readonly method: string | undefined;
}

export interface HeaderModifierSpec {
  readonly set: readonly { readonly name: string; readonly value: string }[];
  readonly add: readonly { readonly name: string; readonly value: string }[];
  readonly remove: readonly string[];
}

export interface PathModifierSpec {
  readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  readonly value: string;
}

export type HttpFilterSpec =
  | { readonly type: 'RequestHeaderModifier'; readonly modifier: HeaderModifierSpec }
  | { readonly type: 'ResponseHeaderModifier'; readonly modifier: HeaderModifierSpec }
  | {
      readonly type: 'RequestRedirect';
      readonly scheme: string | undefined;
      readonly hostname: string | undefined;
      readonly path: PathModifierSpec | undefined;
      readonly port: number | undefined;
      readonly statusCode: number;
    }
  | { readonly type: 'URLRewrite'; readonly hostname: string | undefined; readonly path: PathModifierSpec | undefined }
  /** Gateway API RequestMirror: a copy of `numerator/denominator` of requests goes to the backend; its answers are discarded. */
  | {
      readonly type: 'RequestMirror';
      readonly backend: { readonly name: string; readonly namespace: string | undefined; readonly port: number | undefined };
      readonly numerator: number;
      readonly denominator: number;
    };

export interface BackendRefSpec {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly port: number | undefined;
  readonly weight: number;
}

export interface HttpRouteRuleSpec {
  readonly matches: readonly HttpRouteMatchSpec[];
  readonly filters: readonly HttpFilterSpec[];
  readonly backendRefs: readonly BackendRefSpec[];
  /** Gateway API rule timeouts, milliseconds. */
  readonly requestTimeoutMs: number | undefined;
  readonly backendRequestTimeoutMs: number | undefined;
}

export interface HTTPRoute {
  readonly apiVersion: string;
  readonly kind: 'HTTPRoute';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parentRefs: readonly ParentRef[];
    readonly hostnames: readonly string[];
    readonly rules: readonly HttpRouteRuleSpec[];
  };
}

export interface GrpcRouteMatchSpec {
  /** Undefined: any service / method. */
  readonly service: string | undefined;
  readonly method: string | undefined;
  readonly headers: readonly StringMatch[];
}

export interface GrpcRouteRuleSpec {
  readonly matches: readonly GrpcRouteMatchSpec[];
  readonly filters: readonly HttpFilterSpec[];
  readonly backendRefs: readonly BackendRefSpec[];
}

export interface GRPCRoute {
  readonly apiVersion: string;
  readonly kind: 'GRPCRoute';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parentRefs: readonly ParentRef[];
    readonly hostnames: readonly string[];
    readonly rules: readonly GrpcRouteRuleSpec[];
  };
}

export const EGRESS_TRAFFIC_POLICIES = ['Allow', 'Deny'] as const;
export type EgressTrafficPolicy = (typeof EGRESS_TRAFFIC_POLICIES)[number];

/**
 * Linkerd 2.17's EgressNetwork: destinations outside the cluster, for clients of its namespace
 * (or of every namespace, in the global egress namespace). `networks` undefined: everything
 * outside the cluster networks. `trafficPolicy`: what happens to traffic no route attached to
 * it (parentRef kind EgressNetwork) matches.
 */
export interface EgressNetwork {
  readonly apiVersion: string;
  readonly kind: 'EgressNetwork';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly networks: readonly NetworkSpec[] | undefined;
    readonly trafficPolicy: EgressTrafficPolicy;
  };
}

export type PolicyResource =
  | Pod | Server | AuthorizationPolicy | MeshTLSAuthentication | NetworkAuthentication | JWTAuthentication
  | HTTPLocalRateLimitPolicy | HTTPRoute | GRPCRoute | EgressNetwork;
