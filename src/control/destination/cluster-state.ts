// The destination service's in-memory view of the store: Services, EndpointSlices grouped by
// their Service, ServiceProfiles, and the IP indexes. One watch per kind feeds it however many
// proxies are subscribed; after each store event it tells listeners which services changed.
import type { Endpoint, EndpointSlice, Service, ServiceProfile, Store, Watch, WatchEvent } from '../store/types.js';
import { SERVICE_NAME_LABEL } from '../store/types.js';

export type ChangeListener = (services: ReadonlySet<string>) => void;

/** A pod IP as one service's slice lists it. */
export interface PodAddress {
  readonly endpoint: Endpoint;
  /** `<ns>/<name>` of the service the slice belongs to. */
  readonly serviceKey: string;
  readonly slice: EndpointSlice;
}

export function svcKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ClusterState {
  readonly services = new Map<string, Service>();
  /** service key -> slice name -> slice */
  readonly slices = new Map<string, Map<string, EndpointSlice>>();
  /** `<ns>/<fqdn>` -> profile */
  readonly profiles = new Map<string, ServiceProfile>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly watches: Watch[] = [];
  readonly ready: Promise<void>;

  constructor(store: Store) {
    let synced = 0;
    let markReady!: () => void;
    this.ready = new Promise((r) => (markReady = r));
    const onSynced = (): void => {
      if (++synced === 3) markReady();
    };
    this.watches.push(
      store.watch('Service', (e) => this.onService(e, onSynced)),
      store.watch('EndpointSlice', (e) => this.onSlice(e, onSynced)),
      store.watch('ServiceProfile', (e) => this.onProfile(e, onSynced)),
    );
  }

  onChange(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private pending = new Set<string>();

  // A store change arrives as several events delivered in one go (a Service and its slices
  // from one `weft apply`): coalesce them so subscribers see one consistent update, never a
  // service without the endpoints that came with it.
  private notify(key: string): void {
    this.ipIndex = undefined;
    if (this.pending.size === 0) queueMicrotask(() => this.flush());
    this.pending.add(key);
  }

  private flush(): void {
    const keys = this.pending;
    this.pending = new Set();
    for (const l of this.listeners) l(keys);
  }

  private onService(e: WatchEvent<Service>, synced: () => void): void {
    if (e.type === 'SYNCED') return synced();
    const key = svcKey(e.object.metadata.namespace, e.object.metadata.name);
    if (e.type === 'DELETED') this.services.delete(key);
    else this.services.set(key, e.object);
    this.notify(key);
  }

  /** `<ns>/<slice name>` -> the service key it was last filed under. */
  private readonly sliceOwner = new Map<string, string>();

  private onSlice(e: WatchEvent<EndpointSlice>, synced: () => void): void {
    if (e.type === 'SYNCED') return synced();
    const s = e.object;
    const id = `${s.metadata.namespace}/${s.metadata.name}`;
    const key = svcKey(s.metadata.namespace, s.metadata.labels[SERVICE_NAME_LABEL] ?? '');
    // A slice may be relabelled to another service: drop it from where it was.
    const prevOwner = this.sliceOwner.get(id);
    if (prevOwner !== undefined && prevOwner !== key) {
      this.slices.get(prevOwner)?.delete(s.metadata.name);
      this.notify(prevOwner);
    }
    let m = this.slices.get(key);
    if (e.type === 'DELETED') {
      m?.delete(s.metadata.name);
      this.sliceOwner.delete(id);
      if (m?.size === 0) this.slices.delete(key);
    } else {
      if (!m) this.slices.set(key, (m = new Map()));
      m.set(s.metadata.name, s);
      this.sliceOwner.set(id, key);
    }
    this.notify(key);
  }

  private onProfile(e: WatchEvent<ServiceProfile>, synced: () => void): void {
    if (e.type === 'SYNCED') return synced();
    const p = e.object;
    const pkey = `${p.metadata.namespace}/${p.metadata.name}`;
    if (e.type === 'DELETED') this.profiles.delete(pkey);
    else this.profiles.set(pkey, p);
    // The profile's name is the FQDN; its first two labels name the service.
    const [name, ns] = p.metadata.name.split('.');
    if (name && ns) this.notify(svcKey(ns, name));
  }

  private ipIndex: Map<string, PodAddress[]> | undefined;

  /**
   * Every slice endpoint holding a pod IP, with the service its slice belongs to (a pod can
   * back several services); indexed once per change. Empty when no slice has the IP.
   */
  endpointsByIp(ip: string): readonly PodAddress[] {
    if (!this.ipIndex) {
      this.ipIndex = new Map();
      for (const [serviceKey, m] of this.slices) {
        for (const slice of m.values()) {
          for (const endpoint of slice.endpoints) {
            for (const a of endpoint.addresses) {
              let list = this.ipIndex.get(a);
              if (!list) this.ipIndex.set(a, (list = []));
              list.push({ endpoint, serviceKey, slice });
            }
          }
        }
      }
    }
    return this.ipIndex.get(ip) ?? [];
  }

  /**
   * The slice endpoints at a pod address. Workloads can share an IP and differ only by port
   * (the local runtime's loopback mode puts every one on 127.0.0.1): those whose slice lists
   * the port come first and alone; with none, every endpoint with the IP (a pod port that no
   * Service names).
   */
  endpointsAt(ip: string, port: number): readonly PodAddress[] {
    const all = this.endpointsByIp(ip);
    if (all.length < 2) return all;
    const serving = all.filter((o) => o.slice.ports.some((p) => p.port === port));
    return serving.length > 0 ? serving : all;
  }

  /** The service whose cluster IP this is, if any. */
  serviceByClusterIp(ip: string): Service | undefined {
    for (const s of this.services.values()) if (s.spec.clusterIP === ip) return s;
    return undefined;
  }

  close(): void {
    for (const w of this.watches) w.close();
    this.listeners.clear();
  }
}
