// What the discovery client hands the proxy's stacks: plain, frozen values decoded from the
// Destination API, with no protobuf types leaking out.

export type ProtocolHint = 'h2' | 'opaque' | undefined;

export interface DiscoveredEndpoint {
  /** "ip:port" ("[v6]:port"), the key of the endpoint in its set. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** SPIFFE URI the endpoint's certificate must carry; undefined: not meshed, connect in plain text. */
  readonly identity: string | undefined;
  /** The name to send as TLS SNI (DNS-like identity), when meshed. */
  readonly serverName: string | undefined;
  readonly protocolHint: ProtocolHint;
  /**
   * The peer proxy's inbound port, for opaque traffic wrapped in the transport header
   * (`opaque_transport.inbound_port`); undefined: the controller did not say.
   */
  readonly opaqueTransportPort: number | undefined;
  /** Labels for metrics: the set's labels overlaid with the endpoint's own (pod, zone, ...). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * - pending: no answer yet.
 * - resolved: the destination service knows the name; `endpoints` may be empty.
 * - not-found: unknown name: use the original destination.
 * - unavailable: the control plane could not be reached and nothing is cached: use the original
 *   destination (a cached answer survives control-plane loss and keeps the state `resolved`).
 */
export type ResolutionState = 'pending' | 'resolved' | 'not-found' | 'unavailable';

export type RequestMatch =
  | { readonly kind: 'all' | 'any'; readonly matches: readonly RequestMatch[] }
  | { readonly kind: 'not'; readonly match: RequestMatch }
  | { readonly kind: 'method'; readonly method: string }
  | { readonly kind: 'path'; readonly regex: RegExp };

export type ResponseMatch =
  | { readonly kind: 'all' | 'any'; readonly matches: readonly ResponseMatch[] }
  | { readonly kind: 'not'; readonly match: ResponseMatch }
  | { readonly kind: 'status'; readonly min: number; readonly max: number };

export interface ProfileRoute {
  readonly name: string;
  readonly condition: RequestMatch | undefined;
  readonly responseClasses: readonly { readonly condition: ResponseMatch | undefined; readonly isFailure: boolean }[];
  readonly labels: Readonly<Record<string, string>>;
  readonly isRetryable: boolean;
  readonly timeoutMs: number | undefined;
}

export interface RetryBudgetParams {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

export interface Profile {
  readonly fullyQualifiedName: string;
  readonly opaqueProtocol: boolean;
  readonly routes: readonly ProfileRoute[];
  readonly retryBudget: RetryBudgetParams | undefined;
  /** Traffic split: weights are relative (Linkerd sends thousandths). Empty: no split. */
  readonly dstOverrides: readonly { readonly authority: string; readonly weight: number }[];
  /** Set when the lookup was for a pod address: connect to it directly. */
  readonly endpoint: DiscoveredEndpoint | undefined;
}
