// Between a row (a Deployment, pod, namespace or Service) and the series about it:
//   - as a source: the labels Prometheus put on its pods' series (namespace, deployment, pod);
//   - as a destination: the target_addr values a client's proxy records for traffic to it —
//     its pods' addresses, and the cluster IPs of Services that lead only to it.
import type { AddressPattern, InventorySnapshot } from './inventory.js';
import { serviceAddresses } from './inventory.js';
import type { Matchers } from './queries.js';
import type { Row } from './resources.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matchers selecting the series of a row's own pods. */
export function sourceMatchers(r: Row): Matchers {
  if (r.type === 'deploy') return { namespace: r.namespace, deployment: r.name };
  if (r.type === 'pod') return { namespace: r.namespace, pod: r.name };
  if (r.type === 'ns') return { namespace: r.name };
  return { namespace: r.namespace, pod: { re: r.pods.length ? r.pods.map((p) => escape(p.name)).join('|') : '^$x' } };
}

/** The addresses that reach a row: its pods', and cluster IPs of Services whose pods are all its own. */
export function rowAddresses(inv: InventorySnapshot, r: Row): AddressPattern[] {
  if (r.type === 'svc') {
    const s = inv.services.find((x) => x.name === r.name && x.namespace === r.namespace);
    return s ? serviceAddresses(s, inv.pods) : [];
  }
  const mine = new Set(r.pods.map((p) => `${p.namespace}/${p.name}`));
  const out: AddressPattern[] = r.pods.flatMap((p) => p.addresses);
  for (const s of inv.services) {
    if (!s.clusterIP || s.pods.length === 0) continue;
    if (s.pods.every((p) => mine.has(`${s.namespace}/${p}`))) out.push(...s.ports.map((port) => ({ host: s.clusterIP, port })));
  }
  return out;
}
