// The inbound policy of one port as the proxy enforces it, decoded once from the policy API's
// Server message (decode.ts) or built from the configured default (default-policy.ts).
import type { CidrSet } from '../../lib/cidr.js';
import type { JwtRequirement } from './jwt.js';

/** A client network: inside `net`, outside `except`. */
export interface ClientNetwork {
  readonly net: CidrSet;
  readonly except: CidrSet;
}

export type Authentication =
  | { readonly kind: 'unauthenticated' }
  /** mTLS required; `any`: whatever the identity, else one of `identities` or `suffixes`. */
  | { readonly kind: 'mtls'; readonly any: boolean; readonly identities: ReadonlySet<string>; readonly suffixes: readonly (readonly string[])[] };

/** Metric labels naming where a piece of policy came from (Linkerd's *_kind, *_name, *_group). */
export interface PolicyLabels {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export interface Authorization {
  readonly networks: readonly ClientNetwork[];
  readonly authn: Authentication;
  readonly labels: PolicyLabels;
  /** weft's extension: the request must also carry a bearer JWT meeting this (jwt.ts). */
  readonly jwt?: JwtRequirement | undefined;
}

export type PathMatch = { readonly kind: 'exact' | 'prefix'; readonly value: string } | { readonly kind: 'regex'; readonly re: RegExp };
export type ValueMatch = { readonly name: string } & ({ readonly exact: string } | { readonly re: RegExp });

export interface RequestMatch {
  readonly path: PathMatch | undefined;
  readonly headers: readonly ValueMatch[];
  readonly query: readonly ValueMatch[];
  readonly method: string | undefined;
  /** gRPC: `/service/method`, either part empty = any. */
  readonly rpc: { readonly service: string; readonly method: string } | undefined;
}

export interface HeaderModifier {
  readonly add: readonly [string, string][];
  readonly set: readonly [string, string][];
  readonly remove: readonly string[];
}

export interface Redirect {
  readonly scheme: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly path: { readonly full: string } | { readonly prefix: string } | undefined;
  readonly status: number;
}

export interface RouteRule {
  readonly matches: readonly RequestMatch[];
  readonly requestHeaders: HeaderModifier | undefined;
  readonly redirect: Redirect | undefined;
}

export interface InboundRoute {
  readonly labels: PolicyLabels;
  /** Exact hosts and `.suffix` entries; empty: any host. */
  readonly hosts: readonly string[];
  readonly rules: readonly RouteRule[];
  /** Server authorizations plus this route's own. */
  readonly authorizations: readonly Authorization[];
}

export interface RateLimitSpec {
  readonly labels: PolicyLabels;
  readonly total: number | undefined;
  readonly identity: number | undefined;
  readonly overrides: readonly { readonly rps: number; readonly identities: ReadonlySet<string> }[];
}

export type PortProtocol = 'detect' | 'http1' | 'http2' | 'grpc' | 'opaque' | 'tls';

export interface PortPolicy {
  readonly server: PolicyLabels;
  readonly protocol: PortProtocol;
  /** Connection-level (opaque TCP) authorizations: the Server's. */
  readonly authorizations: readonly Authorization[];
  readonly routes: readonly InboundRoute[];
  readonly rateLimit: RateLimitSpec | undefined;
}
