// What `up` writes to the local store and `down` takes out: the file's resources (Services
// with their cluster IPs), and one EndpointSlice per Service and workload. EndpointSlices a
// previous run left (labelled managed-by weft-up) are replaced, never merged.
import { LocalStore } from '../../control/store/local-store.js';
import type { Resource, ResourceKey } from '../../control/store/types.js';
import type { MeshSpec } from './mesh-file.js';
import type { EndpointAddress, ServicePlan } from './plan.js';
import { MANAGED_BY, MANAGED_BY_LABEL, endpointSlices, servicesWithClusterIps } from './plan.js';

function key(r: Resource): ResourceKey {
  return { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name };
}

/** Applies the mesh's resources; returns the keys written. */
export async function applyToStore(dir: string, mesh: MeshSpec, services: readonly ServicePlan[], address: EndpointAddress): Promise<ResourceKey[]> {
  const withIps = servicesWithClusterIps(mesh, services);
  const resources: Resource[] = [
    ...withIps,
    ...mesh.resources.filter((r) => r.kind !== 'Service'),
    ...endpointSlices(mesh, address),
  ];
  const store = await LocalStore.open(dir, { follow: false });
  try {
    const stale = (await store.list('EndpointSlice')).items.filter((s) => s.metadata.labels[MANAGED_BY_LABEL] === MANAGED_BY);
    if (stale.length > 0) await store.delete(stale.map(key));
    await store.apply(resources);
  } finally {
    await store.close();
  }
  return resources.map(key);
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
