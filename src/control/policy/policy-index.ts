// The policy controller's in-memory view of the store: one watch per kind it reads (Pods,
// Services, EndpointSlices and the policy kinds), however many proxies are subscribed. After a store change it
// tells listeners once (events delivered together, e.g. one `weft apply`, are coalesced into
// one notification, so a watcher never sees a Server without the policy applied with it).
import type { EndpointSlice, Kind, Resource, ResourceOf, Service, Store, Watch } from '../store/types.js';
import type {
  AuthorizationPolicy, EgressNetwork, GRPCRoute, HTTPLocalRateLimitPolicy, HTTPRoute, JWTAuthentication, MeshTLSAuthentication, NetworkAuthentication, Pod, Server,
} from '../store/policy-types.js';

const WATCHED = [
  'Pod', 'Service', 'Server', 'AuthorizationPolicy', 'MeshTLSAuthentication', 'NetworkAuthentication',
  'HTTPLocalRateLimitPolicy', 'HTTPRoute', 'GRPCRoute', 'JWTAuthentication', 'EgressNetwork', 'EndpointSlice',
] as const satisfies readonly Kind[];
type WatchedKind = (typeof WATCHED)[number];

/** `<namespace>/<name>` -> object, per kind. */
type ByKey<R> = Map<string, R>;

export function nsKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class PolicyIndex {
  readonly pods: ByKey<Pod> = new Map();
  readonly services: ByKey<Service> = new Map();
  readonly servers: ByKey<Server> = new Map();
  readonly authorizationPolicies: ByKey<AuthorizationPolicy> = new Map();
  readonly meshTLSAuthentications: ByKey<MeshTLSAuthentication> = new Map();
  readonly networkAuthentications: ByKey<NetworkAuthentication> = new Map();
  readonly rateLimits: ByKey<HTTPLocalRateLimitPolicy> = new Map();
  readonly httpRoutes: ByKey<HTTPRoute> = new Map();
  readonly grpcRoutes: ByKey<GRPCRoute> = new Map();
  readonly jwtAuthentications: ByKey<JWTAuthentication> = new Map();
  readonly egressNetworks: ByKey<EgressNetwork> = new Map();
  /** Endpoints are pods: an address among them is in the mesh, never egress. */
  readonly endpointSlices: ByKey<EndpointSlice> = new Map();
  readonly ready: Promise<void>;
  private readonly watches: Watch[] = [];
  private readonly listeners = new Set<(kinds: ReadonlySet<Kind>) => void>();
  /** Kinds changed since the last notification (endpoint churn need not recompute every answer). */
  private changedKinds = new Set<Kind>();
  private flushQueued = false;
  private isReady = false;

  constructor(store: Store) {
    let synced = 0;
    let markReady!: () => void;
    this.ready = new Promise((r) => (markReady = r));
    for (const kind of WATCHED) {
      const map = this.mapOf(kind) as Map<string, Resource>;
      this.watches.push(store.watch(kind, (e) => {
        if (e.type === 'SYNCED') {
          if (++synced === WATCHED.length) {
            this.isReady = true;
            markReady();
          }
          return;
        }
        const key = nsKey(e.object.metadata.namespace, e.object.metadata.name);
        if (e.type === 'DELETED') map.delete(key);
        else map.set(key, e.object);
        this.changed(kind);
      }));
    }
  }

  private mapOf(kind: WatchedKind): Map<string, ResourceOf<WatchedKind>> {
    switch (kind) {
      case 'Pod': return this.pods;
      case 'Service': return this.services;
      case 'Server': return this.servers;
      case 'AuthorizationPolicy': return this.authorizationPolicies;
      case 'MeshTLSAuthentication': return this.meshTLSAuthentications;
      case 'NetworkAuthentication': return this.networkAuthentications;
      case 'HTTPLocalRateLimitPolicy': return this.rateLimits;
      case 'HTTPRoute': return this.httpRoutes;
      case 'GRPCRoute': return this.grpcRoutes;
      case 'JWTAuthentication': return this.jwtAuthentications;
      case 'EgressNetwork': return this.egressNetworks;
      case 'EndpointSlice': return this.endpointSlices;
    }
  }

  private changed(kind: WatchedKind): void {
    if (!this.isReady) return;
    this.changedKinds.add(kind);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      const kinds: ReadonlySet<Kind> = this.changedKinds;
      this.changedKinds = new Set();
      for (const l of this.listeners) {
        try {
          l(kinds);
        } catch {
          // One failing listener must not keep the others from the change.
        }
      }
    });
  }

  /** Called after every (coalesced) change once the initial state is loaded, with the kinds that changed. */
  onChange(l: (kinds: ReadonlySet<Kind>) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Objects of one map in a namespace, in name order (deterministic answers). */
  inNamespace<R extends Resource>(map: ByKey<R>, namespace: string): R[] {
    const out: R[] = [];
    for (const r of map.values()) if (r.metadata.namespace === namespace) out.push(r);
    return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  close(): void {
    for (const w of this.watches) w.close();
    this.listeners.clear();
  }
}
