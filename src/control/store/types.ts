// The resources weft's control plane reads, in Kubernetes shapes (only the fields weft uses),
// and the Store interface both backends implement: `local` (YAML files persisted in a state
// directory, see local-store.ts) and, later, `kubernetes` (informers). The interface follows
// the Kubernetes list/watch contract so the second backend fits without changing callers:
// every object carries a resourceVersion, a watch starts with the current objects as ADDED
// events, then one SYNCED marker, then deltas (ADDED/MODIFIED/DELETED) in version order.

import type { PolicyResource } from './policy-types.js';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Opaque to callers; the local store uses a decimal counter, Kubernetes its etcd revision. */
  readonly resourceVersion: string;
}

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  /** A number or a named container port; undefined means "same as port". */
  readonly targetPort: number | string | undefined;
  readonly protocol: string;
}

/** core/v1 Service. */
export interface Service {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly clusterIP: string | undefined;
    readonly ports: readonly ServicePort[];
  };
}

export interface EndpointTargetRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /**
   * Not in Kubernetes' ObjectReference: the local backend reads the pod's service account here
   * (the kubernetes backend will take it from the Pod). Defaults to "default".
   */
  readonly serviceAccountName: string;
  /**
   * Not in Kubernetes either: the port the pod's proxy listens on for inbound traffic, which
   * Linkerd's controller reads from the proxy container's environment. Sent to clients as
   * `opaque_transport.inbound_port` for opaque ports; undefined means weft's default, 4143.
   */
  readonly proxyInboundPort: number | undefined;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
  readonly zone: string | undefined;
  readonly hostname: string | undefined;
  readonly targetRef: EndpointTargetRef | undefined;
}

export interface EndpointPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
}

/** discovery.k8s.io/v1 EndpointSlice; tied to its Service by label kubernetes.io/service-name. */
export interface EndpointSlice {
  readonly apiVersion: 'discovery.k8s.io/v1';
  readonly kind: 'EndpointSlice';
  readonly metadata: ObjectMeta;
  readonly addressType: string;
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointPort[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type RequestMatchSpec =
  | { readonly kind: 'all'; readonly matches: readonly RequestMatchSpec[] }
  | { readonly kind: 'any'; readonly matches: readonly RequestMatchSpec[] }
  | { readonly kind: 'not'; readonly match: RequestMatchSpec }
  | { readonly kind: 'method'; readonly method: string }
  | { readonly kind: 'path'; readonly regex: string };

export type ResponseMatchSpec =
  | { readonly kind: 'all'; readonly matches: readonly ResponseMatchSpec[] }
  | { readonly kind: 'any'; readonly matches: readonly ResponseMatchSpec[] }
  | { readonly kind: 'not'; readonly match: ResponseMatchSpec }
  | { readonly kind: 'status'; readonly min: number; readonly max: number };

export interface RouteSpec {
  readonly name: string;
  readonly condition: RequestMatchSpec;
  readonly responseClasses: readonly { readonly condition: ResponseMatchSpec; readonly isFailure: boolean }[];
  readonly isRetryable: boolean;
  /** Milliseconds; undefined = no route timeout. */
  readonly timeoutMs: number | undefined;
}

export interface RetryBudgetSpec {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

export interface WeightedDstSpec {
  readonly authority: string;
  /** In thousandths, as Linkerd sends a Quantity's milli-value ("500m" -> 500, "1" -> 1000). */
  readonly weight: number;
}

/** weft.io/v1alpha1 ServiceProfile; linkerd.io/v1alpha2 manifests load into the same shape. */
export interface ServiceProfile {
  readonly apiVersion: 'weft.io/v1alpha1' | 'linkerd.io/v1alpha2';
  readonly kind: 'ServiceProfile';
  /** metadata.name is the service's FQDN, e.g. web.default.svc.cluster.local. */
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly routes: readonly RouteSpec[];
    readonly retryBudget: RetryBudgetSpec | undefined;
    readonly dstOverrides: readonly WeightedDstSpec[];
    readonly opaquePorts: readonly number[];
  };
}

export type Resource = Service | EndpointSlice | ServiceProfile | PolicyResource;
export type Kind = Resource['kind'];
export const POLICY_KINDS = [
  'Pod', 'Server', 'AuthorizationPolicy', 'MeshTLSAuthentication', 'NetworkAuthentication',
  'HTTPLocalRateLimitPolicy', 'HTTPRoute', 'GRPCRoute', 'JWTAuthentication', 'EgressNetwork',
] as const satisfies readonly Kind[];
export const KINDS: readonly Kind[] = ['Service', 'EndpointSlice', 'ServiceProfile', ...POLICY_KINDS];

export type ResourceOf<K extends Kind> = Extract<Resource, { kind: K }>;

export interface ResourceKey {
  readonly kind: Kind;
  readonly namespace: string;
  readonly name: string;
}

export function keyOf(r: Resource | ResourceKey): string {
  const k = 'metadata' in r ? { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name } : r;
  return `${k.kind}/${k.namespace}/${k.name}`;
}

export type WatchEvent<R extends Resource = Resource> =
  | { readonly type: 'ADDED' | 'MODIFIED'; readonly object: R }
  /** `object` is the last state before deletion, with the deletion's resourceVersion. */
  | { readonly type: 'DELETED'; readonly object: R }
  /** The initial objects have all been delivered; later events are changes. */
  | { readonly type: 'SYNCED'; readonly resourceVersion: string };

export interface Watch {
  close(): void;
}

export interface ListResult<R extends Resource> {
  readonly items: readonly R[];
  /** The store's version at the time of the list: pass it to watch() to get only later changes. */
  readonly resourceVersion: string;
}

export interface WatchOptions {
  /** Only changes after this version (no initial ADDED replay, SYNCED sent at once). */
  readonly resourceVersion?: string;
  readonly namespace?: string;
}

export interface Store {
  get<K extends Kind>(kind: K, namespace: string, name: string): Promise<ResourceOf<K> | undefined>;
  list<K extends Kind>(kind: K, namespace?: string): Promise<ListResult<ResourceOf<K>>>;
  watch<K extends Kind>(kind: K, onEvent: (e: WatchEvent<ResourceOf<K>>) => void, opts?: WatchOptions): Watch;
  close(): Promise<void>;
}

/** A store that accepts writes (the local backend; on Kubernetes, writes go through the API). */
export interface WritableStore extends Store {
  /** Creates or replaces each resource; returns them with their new resourceVersions. */
  apply(resources: readonly Resource[]): Promise<readonly Resource[]>;
  /** Deletes each key; returns the keys that existed. */
  delete(keys: readonly ResourceKey[]): Promise<readonly ResourceKey[]>;
  /** Deletes, then applies, as one change that watchers see at once. */
  commit(ops: { apply?: readonly Resource[]; delete?: readonly ResourceKey[] }): Promise<{ applied: readonly Resource[]; deleted: readonly ResourceKey[] }>;
}
