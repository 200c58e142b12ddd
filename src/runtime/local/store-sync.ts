// What the local runtime keeps in the store for the destination service: the mesh's resources
// (Services with their cluster IPs, ServiceProfiles, ...) and one EndpointSlice per Service and
// Deployment, listing its pods with their readiness. The runtime re-syncs after every change
// (a live apply, a pod that became ready or crashed); only what changed is written, in one
// commit, so proxies see one update. `down` deletes what was written.
import { LocalStore } from '../../control/store/local-store.js';
import type { Resource, ResourceKey } from '../../control/store/types.js';
import { keyOf } from '../../control/store/types.js';
import type { MeshSpec } from './mesh-file.js';
import { DEFAULT_INBOUND_POLICY_ANNOTATIONS } from './mesh-file.js';
import type { Pod } from '../../control/store/policy-types.js';
import type { EndpointAddress, PlacedService, PodSpec } from './plan.js';
import { MANAGED_BY, MANAGED_BY_LABEL, endpointSlices, servicesWithClusterIps } from './plan.js';

function key(r: Resource): ResourceKey {
  return { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name };
}

/** Everything the store should hold for this mesh. */
export function storeResources(mesh: MeshSpec, services: readonly PlacedService[], pods: readonly PodSpec[], address: EndpointAddress, ready?: (pod: string) => boolean): Resource[] {
  return [
    ...servicesWithClusterIps(services),
    ...mesh.resources.filter((r) => r.kind !== 'Service'),
    ...endpointSlices(mesh.services, pods, address, ready),
    ...pods.map(podResource),
  ];
}

/** A pod as the policy controller reads it: labels Servers select, named ports, its default policy. */
function podResource(p: PodSpec): Pod {
  const w = p.workload;
  const annotations: Record<string, string> = w.defaultInboundPolicy ? { [DEFAULT_INBOUND_POLICY_ANNOTATIONS[0]]: w.defaultInboundPolicy } : {};
  return Object.freeze({
    apiVersion: 'v1', kind: 'Pod',
    metadata: Object.freeze({ name: p.name, namespace: w.namespace, labels: w.labels, annotations, resourceVersion: '0' }),
    spec: Object.freeze({ serviceAccountName: w.serviceAccount, ports: Object.freeze(w.ports.map((x) => ({ name: x.name ?? '', containerPort: x.containerPort }))) }),
  });
}

export class StoreSync {
  /** key -> what was last written (JSON without the resourceVersion). */
  private readonly written = new Map<string, { key: ResourceKey; json: string }>();

  private constructor(private readonly store: LocalStore) {}

  /** Opens the store; EndpointSlices an earlier run left (labelled managed-by weft-up) go. */
  static async open(dir: string): Promise<StoreSync> {
    const store = await LocalStore.open(dir, { follow: false });
    const stale = (await store.list('EndpointSlice')).items.filter((s) => s.metadata.labels[MANAGED_BY_LABEL] === MANAGED_BY);
    if (stale.length > 0) await store.delete(stale.map(key));
    return new StoreSync(store);
  }

  /** Writes what differs from the last sync and deletes what is no longer wanted, in one commit. */
  async sync(resources: readonly Resource[]): Promise<void> {
    const want = new Map(resources.map((r) => [keyOf(r), { r, json: JSON.stringify({ ...r, metadata: { ...r.metadata, resourceVersion: '' } }) }]));
    const apply = [...want.entries()].filter(([k, w]) => this.written.get(k)?.json !== w.json).map(([, w]) => w.r);
    const del = [...this.written.entries()].filter(([k]) => !want.has(k)).map(([, w]) => w.key);
    if (apply.length === 0 && del.length === 0) return;
    await this.store.commit({ apply, delete: del });
    for (const [k] of [...this.written].filter(([k]) => !want.has(k))) this.written.delete(k);
    for (const r of apply) this.written.set(keyOf(r), { key: key(r), json: want.get(keyOf(r))?.json ?? '' });
  }

  /** Every key written and still wanted (run.json keeps them for `down`). */
  keys(): ResourceKey[] {
    return [...this.written.values()].map((w) => w.key);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export async function removeFromStore(dir: string, keys: readonly ResourceKey[]): Promise<void> {
  if (keys.length === 0) return;
  const store = await LocalStore.open(dir, { follow: false });
  try {
    await store.delete(keys);
  } finally {
    await store.close();
  }
}
