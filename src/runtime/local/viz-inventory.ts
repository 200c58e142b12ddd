// The metrics API's inventory for a local run: pods and Services from run.json (re-read at each
// request, so live changes show at once), ServiceProfile routes from the store.
import type { Inventory, InventorySnapshot, PodInfo, ServiceInfo } from '../../control/metrics/inventory.js';
import type { Store } from '../../control/store/types.js';
import type { WorkloadRecord } from './run-state.js';
import { readRunState } from './run-state.js';

/** target_addr values that reach a pod: its IP on any port, or (loopback) its proxy's inbound address and its app's ports. */
function addressesOf(w: WorkloadRecord, mode: 'netns' | 'loopback'): PodInfo['addresses'] {
  if (mode === 'netns') return [{ host: w.ip }];
  const inbound = w.inboundAddr ? [{ host: '127.0.0.1', port: Number(w.inboundAddr.slice(w.inboundAddr.lastIndexOf(':') + 1)) }] : [];
  return [...inbound, ...w.ports.map((port) => ({ host: '127.0.0.1', port }))];
}

export class LocalInventory implements Inventory {
  constructor(
    private readonly root: string,
    private readonly store: Store,
    private readonly trustDomain: string,
    private readonly clusterDomain = 'cluster.local',
  ) {}

  async snapshot(): Promise<InventorySnapshot> {
    const state = await readRunState(this.root);
    if (!state) return { pods: [], services: [], trustDomain: this.trustDomain };
    const pods: PodInfo[] = state.workloads.map((w) => ({
      name: w.name, namespace: w.namespace, deployment: w.deployment ?? w.name, serviceAccount: w.serviceAccount,
      meshed: w.proxy !== undefined, addresses: addressesOf(w, state.mode),
      tapAddr: w.proxy === undefined ? undefined : (w.tapAddr ?? (state.mode === 'netns' ? `${w.ip}:4190` : undefined)),
    }));
    const services: ServiceInfo[] = await Promise.all((state.services ?? []).map(async (s) => {
      const fqdn = `${s.name}.${s.namespace}.svc.${this.clusterDomain}`;
      const profile = await this.store.get('ServiceProfile', s.namespace, fqdn);
      return {
        namespace: s.namespace, name: s.name, fqdn, clusterIP: s.clusterIP, ports: s.ports, targetPorts: s.targetPorts ?? s.ports,
        pods: s.pods, routes: profile?.spec.routes.map((r) => r.name) ?? [], hasProfile: profile !== undefined,
      };
    }));
    return { pods, services, trustDomain: this.trustDomain };
  }
}
