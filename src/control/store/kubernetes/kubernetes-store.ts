// The `kubernetes` store backend: informers on Services, EndpointSlices, Pods (an endpoint's
// service account, hence its identity; and what Servers select), ServiceProfiles and the policy
// kinds from each CRD group that defines them (CRD_SOURCES), behind the same Store interface as
// local-store.ts, so the destination and policy services serve from either without knowing which.
//
// The contract kept: every object carries its resourceVersion (etcd's revision); a watch gets
// the current objects as ADDED, one SYNCED, then deltas. watch({resourceVersion}) replays from
// a bounded history of recent changes, or — when the version is older than that history, as
// Kubernetes would answer 410 Gone — the whole current state. Memory is bounded by the cluster's
// size: converted objects only, deleted ones dropped, a fixed-size history, indexes cleaned on
// deletion.
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../../lib/log.js';
import type { Kind, ListResult, Resource, ResourceOf, Store, Watch, WatchEvent, WatchOptions } from '../types.js';
import { KINDS, keyOf } from '../types.js';
import { slicePods, toResource } from './convert.js';
import type { InformerOptions } from './informer.js';
import { ResilientInformer } from './informer.js';

export interface KubernetesStoreOptions extends InformerOptions {
  /** How many past changes to keep for watch({resourceVersion}) (default 10000). */
  readonly historySize?: number;
  /** Also read linkerd.io/v1alpha2 ServiceProfiles (default true). */
  readonly linkerdProfiles?: boolean;
  readonly log?: Logger;
}

type Change = Exclude<WatchEvent, { type: 'SYNCED' }>;

interface Watcher {
  readonly kind: Kind;
  readonly namespace: string | undefined;
  readonly onEvent: (e: WatchEvent) => void;
  ready: boolean;
  closed: boolean;
}

/**
 * Where a kind is listed from, in order of precedence: for the same namespace/name, weft's own
 * group wins over Linkerd's (ServiceProfile, policy kinds) or the Gateway API's (routes).
 */
export interface CrdSource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export const CRD_SOURCES: Partial<Record<Kind, readonly CrdSource[]>> = {
  ServiceProfile: [{ group: 'weft.io', version: 'v1alpha1', plural: 'serviceprofiles' }, { group: 'linkerd.io', version: 'v1alpha2', plural: 'serviceprofiles' }],
  Server: [{ group: 'policy.weft.io', version: 'v1beta3', plural: 'servers' }, { group: 'policy.linkerd.io', version: 'v1beta3', plural: 'servers' }],
  AuthorizationPolicy: [{ group: 'policy.weft.io', version: 'v1alpha1', plural: 'authorizationpolicies' }, { group: 'policy.linkerd.io', version: 'v1alpha1', plural: 'authorizationpolicies' }],
  MeshTLSAuthentication: [{ group: 'policy.weft.io', version: 'v1alpha1', plural: 'meshtlsauthentications' }, { group: 'policy.linkerd.io', version: 'v1alpha1', plural: 'meshtlsauthentications' }],
  NetworkAuthentication: [{ group: 'policy.weft.io', version: 'v1alpha1', plural: 'networkauthentications' }, { group: 'policy.linkerd.io', version: 'v1alpha1', plural: 'networkauthentications' }],
  HTTPLocalRateLimitPolicy: [{ group: 'policy.weft.io', version: 'v1alpha1', plural: 'httplocalratelimitpolicies' }, { group: 'policy.linkerd.io', version: 'v1alpha1', plural: 'httplocalratelimitpolicies' }],
  HTTPRoute: [{ group: 'policy.weft.io', version: 'v1beta3', plural: 'httproutes' }, { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' }, { group: 'policy.linkerd.io', version: 'v1beta3', plural: 'httproutes' }],
  GRPCRoute: [{ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'grpcroutes' }],
  JWTAuthentication: [{ group: 'policy.weft.io', version: 'v1alpha1', plural: 'jwtauthentications' }],
  EgressNetwork: [{ group: 'policy.weft.io', version: 'v1alpha1', plural: 'egressnetworks' }, { group: 'policy.linkerd.io', version: 'v1alpha1', plural: 'egressnetworks' }],
};

function perKind<T>(make: (k: Kind) => T): Record<Kind, T> {
  return Object.fromEntries(KINDS.map((k) => [k, make(k)])) as Record<Kind, T>;
}

const rvNum = (rv: string): number => (/^\d+$/.test(rv) ? Number(rv) : 0);

export class KubernetesStore implements Store {
  private readonly objects: Record<Kind, Map<string, Resource>> = perKind(() => new Map());
  /** Per CRD-backed kind, each source's objects as received; `objects` holds the winner per key. */
  private readonly sourced: Record<Kind, Map<string, Resource>[]> = perKind((k) => (CRD_SOURCES[k] ?? []).map(() => new Map()));
  /** Pod key -> service account. */
  private readonly podSa = new Map<string, string>();
  /** Pod key -> keys of the slices whose endpoints point at it. */
  private readonly podSlices = new Map<string, Set<string>>();
  /** Slice key -> the raw slice (to convert it again when one of its pods appears). */
  private readonly rawSlices = new Map<string, KubernetesObject>();
  private readonly informers: ResilientInformer<KubernetesObject>[] = [];
  private readonly byKind: Record<Kind, ResilientInformer<KubernetesObject>[]> = perKind(() => []);
  private readonly watchers = new Set<Watcher>();
  private readonly history: { kind: Kind; rv: number; event: Change }[] = [];
  private readonly historyStart: Record<Kind, number> = perKind(() => Infinity);
  private readonly ready: Record<Kind, Promise<void>>;
  private closed = false;

  private constructor(private readonly kc: KubeConfig, private readonly opts: KubernetesStoreOptions) {
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const list = <T extends KubernetesObject>(f: () => Promise<unknown>) => f as () => Promise<KubernetesListObject<T>>;

    const pods = this.informer('Pod', '/api/v1/pods', list(() => core.listPodForAllNamespaces()), {
      add: (p) => this.onPod(p as V1Pod, false),
      update: (p) => this.onPod(p as V1Pod, false),
      delete: (p) => this.onPod(p as V1Pod, true),
    });
    const services = this.informer('Service', '/api/v1/services', list(() => core.listServiceForAllNamespaces()), this.handlers('Service'));
    const slices = this.informer('EndpointSlice', '/apis/discovery.k8s.io/v1/endpointslices', list(() => discovery.listEndpointSliceForAllNamespaces()), {
      add: (s) => this.onSlice(s, false),
      update: (s) => this.onSlice(s, false),
      delete: (s) => this.onSlice(s, true),
    });
    const crdInformers: ResilientInformer<KubernetesObject>[] = [];
    for (const kind of KINDS) {
      (CRD_SOURCES[kind] ?? []).forEach((src, i) => {
        if (kind === 'ServiceProfile' && i > 0 && !(opts.linkerdProfiles ?? true)) return;
        const apiVersion = `${src.group}/${src.version}`;
        const inf = this.informer(kind, `/apis/${apiVersion}/${src.plural}`, list(() => custom.listClusterCustomObject({ group: src.group, version: src.version, plural: src.plural })), {
          add: (o) => this.onSourced(kind, i, o, apiVersion, false),
          update: (o) => this.onSourced(kind, i, o, apiVersion, false),
          delete: (o) => this.onSourced(kind, i, o, apiVersion, true),
        });
        this.byKind[kind].push(inf);
        crdInformers.push(inf);
      });
    }
    this.byKind.Service.push(services);
    // Slices need pods first: an endpoint's identity is its pod's service account.
    this.byKind.EndpointSlice.push(pods, slices);
    this.byKind.Pod.push(pods);

    const whenSynced = (kind: Kind): Promise<void> =>
      Promise.all(this.byKind[kind].map((i) => i.synced)).then(() => {
        this.historyStart[kind] = this.kindVersion(kind);
      });
    this.ready = perKind(whenSynced);
    pods.start();
    // Slices converted before their pods are known would name the wrong identity for a moment.
    void pods.synced.then(() => slices.start());
    services.start();
    for (const i of crdInformers) i.start();
  }

  /** Starts the informers; resolves once every kind has been listed. */
  static async open(kc: KubeConfig, opts: KubernetesStoreOptions = {}): Promise<KubernetesStore> {
    const s = new KubernetesStore(kc, opts);
    await Promise.all(Object.values(s.ready));
    return s;
  }

  /** Errors restarted from so far, per informer path (tests, logs). */
  get restarts(): Record<string, number> {
    return Object.fromEntries(this.informers.map((i) => [i.path, i.restarts]));
  }

  /** Lists made per informer path: 1, plus one per relist after 410 Gone (tests, logs). */
  get lists(): Record<string, number> {
    return Object.fromEntries(this.informers.map((i) => [i.path, i.lists]));
  }

  /** The resourceVersion each informer's watch would resume from, per path (tests). */
  get watchVersions(): Record<string, string> {
    return Object.fromEntries(this.informers.map((i) => [i.path, i.resourceVersion]));
  }

  private informer(
    what: string,
    path: string,
    listFn: () => Promise<KubernetesListObject<KubernetesObject>>,
    h: { add: (o: KubernetesObject) => void; update: (o: KubernetesObject) => void; delete: (o: KubernetesObject) => void },
  ): ResilientInformer<KubernetesObject> {
    const i = new ResilientInformer(this.kc, path, listFn, h, this.opts.log?.child(what), this.opts);
    this.informers.push(i);
    return i;
  }

  private handlers(kind: Kind) {
    return {
      add: (o: KubernetesObject) => this.upsert(kind, o),
      update: (o: KubernetesObject) => this.upsert(kind, o),
      delete: (o: KubernetesObject) => this.remove(kind, objKey(kind, o), o.metadata?.resourceVersion),
    };
  }

  private convert(kind: Kind, o: KubernetesObject, apiVersion?: string): Resource | undefined {
    try {
      return toResource(kind, o, (ns, name) => this.podSa.get(`${ns}/${name}`), apiVersion);
    } catch (err) {
      this.opts.log?.warn('ignoring an object weft cannot read', { kind, namespace: o.metadata?.namespace, name: o.metadata?.name, error: err as Error });
      return undefined;
    }
  }

  private upsert(kind: Kind, o: KubernetesObject, apiVersion?: string): void {
    const r = this.convert(kind, o, apiVersion);
    const key = objKey(kind, o);
    if (!r) return this.remove(kind, key, o.metadata?.resourceVersion);
    this.set(kind, key, r);
  }

  private set(kind: Kind, key: string, r: Resource): void {
    const had = this.objects[kind].has(key);
    this.objects[kind].set(key, r);
    this.emit(kind, { type: had ? 'MODIFIED' : 'ADDED', object: r });
  }

  private remove(kind: Kind, key: string, rv: string | undefined): void {
    const old = this.objects[kind].get(key);
    if (!old) return;
    this.objects[kind].delete(key);
    const object = rv && rv !== old.metadata.resourceVersion
      ? ({ ...old, metadata: { ...old.metadata, resourceVersion: rv } } as Resource)
      : old;
    this.emit(kind, { type: 'DELETED', object });
  }

  private onPod(p: V1Pod, deleted: boolean): void {
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    // Pods are a kind of their own too: Servers select them by label and port name.
    if (deleted) this.remove('Pod', objKey('Pod', p), p.metadata?.resourceVersion);
    else this.upsert('Pod', p);
    const before = this.podSa.get(key);
    if (deleted) this.podSa.delete(key);
    else this.podSa.set(key, p.spec?.serviceAccountName || 'default');
    const after = this.podSa.get(key);
    if (before === after) return;
    // Slices that already point at this pod were converted without (or with another) identity.
    for (const sliceKey of this.podSlices.get(key) ?? []) {
      const raw = this.rawSlices.get(sliceKey);
      if (raw) this.upsert('EndpointSlice', raw);
    }
  }

  private onSlice(s: KubernetesObject, deleted: boolean): void {
    const key = objKey('EndpointSlice', s);
    for (const pod of slicePods(this.rawSlices.get(key) ?? s)) {
      const set = this.podSlices.get(`${pod.namespace}/${pod.name}`);
      set?.delete(key);
      if (set?.size === 0) this.podSlices.delete(`${pod.namespace}/${pod.name}`);
    }
    if (deleted) {
      this.rawSlices.delete(key);
      return this.remove('EndpointSlice', key, s.metadata?.resourceVersion);
    }
    this.rawSlices.set(key, s);
    for (const pod of slicePods(s)) {
      const pk = `${pod.namespace}/${pod.name}`;
      let set = this.podSlices.get(pk);
      if (!set) this.podSlices.set(pk, (set = new Set()));
      set.add(key);
    }
    this.upsert('EndpointSlice', s);
  }

  private onSourced(kind: Kind, src: number, o: KubernetesObject, apiVersion: string, deleted: boolean): void {
    const key = objKey(kind, o);
    const maps = this.sourced[kind];
    const mine = maps[src];
    if (!mine) return;
    if (deleted) mine.delete(key);
    else {
      const r = this.convert(kind, o, apiVersion);
      if (r) mine.set(key, r);
      else mine.delete(key);
    }
    const winner = maps.map((m) => m.get(key)).find((r) => r !== undefined);
    if (winner) {
      if (this.objects[kind].get(key) !== winner) this.set(kind, key, winner);
    } else this.remove(kind, key, o.metadata?.resourceVersion);
  }

  private emit(kind: Kind, e: Change): void {
    const rv = rvNum(e.object.metadata.resourceVersion);
    this.history.push({ kind, rv, event: e });
    const max = this.opts.historySize ?? 10_000;
    if (this.history.length > max) {
      for (const h of this.history.splice(0, this.history.length - max)) {
        this.historyStart[h.kind] = Math.max(this.historyStart[h.kind] === Infinity ? 0 : this.historyStart[h.kind], h.rv);
      }
    }
    for (const w of this.watchers) {
      if (w.ready && !w.closed && w.kind === kind && (!w.namespace || w.namespace === e.object.metadata.namespace)) deliver(w, e);
    }
  }

  /** The newest version this store has seen of a kind (what list() and SYNCED report). */
  private kindVersion(kind: Kind): number {
    let v = 0;
    for (const i of this.byKind[kind]) v = Math.max(v, rvNum(i.resourceVersion));
    for (const r of this.objects[kind].values()) v = Math.max(v, rvNum(r.metadata.resourceVersion));
    return v;
  }

  async get<K extends Kind>(kind: K, namespace: string, name: string): Promise<ResourceOf<K> | undefined> {
    await this.ready[kind];
    return this.objects[kind].get(keyOf({ kind, namespace, name })) as ResourceOf<K> | undefined;
  }

  async list<K extends Kind>(kind: K, namespace?: string): Promise<ListResult<ResourceOf<K>>> {
    await this.ready[kind];
    const items = [...this.objects[kind].values()].filter((r) => !namespace || r.metadata.namespace === namespace) as ResourceOf<K>[];
    return { items, resourceVersion: String(this.kindVersion(kind)) };
  }

  watch<K extends Kind>(kind: K, onEvent: (e: WatchEvent<ResourceOf<K>>) => void, opts: WatchOptions = {}): Watch {
    const w: Watcher = { kind, namespace: opts.namespace, onEvent: onEvent as (e: WatchEvent) => void, ready: false, closed: false };
    this.watchers.add(w);
    void this.ready[kind].then(() => {
      if (w.closed || this.closed) return;
      const match = (r: Resource): boolean => !w.namespace || r.metadata.namespace === w.namespace;
      const from = opts.resourceVersion === undefined ? undefined : rvNum(opts.resourceVersion);
      if (from !== undefined && from >= this.historyStart[kind]) {
        for (const h of this.history) if (h.kind === kind && h.rv > from && match(h.event.object)) deliver(w, h.event);
      } else {
        for (const r of this.objects[kind].values()) if (match(r)) deliver(w, { type: 'ADDED', object: r });
      }
      w.ready = true;
      deliver(w, { type: 'SYNCED', resourceVersion: String(this.kindVersion(kind)) });
    });
    return {
      close: () => {
        w.closed = true;
        this.watchers.delete(w);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    await Promise.all(this.informers.map((i) => i.close()));
  }
}

function objKey(kind: Kind, o: KubernetesObject): string {
  return keyOf({ kind, namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' });
}

function deliver(w: Watcher, e: WatchEvent): void {
  try {
    w.onEvent(e);
  } catch {
    // A failing watcher must not stop the others from seeing the change.
  }
}
