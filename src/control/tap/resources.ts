// Names the two ends of a tap event for people: the tapped pod is one end (destination of an
// inbound event, source of an outbound one); the other is found by address among the pods, or
// for an outbound request by the Service its authority names.
import { matches, type InventorySnapshot } from '../metrics/inventory.js';
import type { TapEventJson } from './event-json.js';

function byAddress(inv: InventorySnapshot, addr: string): string | undefined {
  if (!addr) return undefined;
  const pod = inv.pods.find((p) => p.addresses.some((a) => a.port === undefined && matches(addr, a)));
  if (pod) return `pod/${pod.name}`;
  const svc = inv.services.find((s) => s.clusterIP && s.ports.some((port) => matches(addr, { host: s.clusterIP, port })));
  return svc ? `svc/${svc.name}` : undefined;
}

function byAuthority(inv: InventorySnapshot, authority: string | undefined, namespace: string): string | undefined {
  if (!authority) return undefined;
  const host = authority.replace(/:\d+$/, '');
  const [name, ns] = host.split('.');
  const svc = inv.services.find((s) => s.name === name && s.namespace === (ns ?? namespace));
  return svc ? `svc/${svc.name}` : undefined;
}

/** Adds sourceResource/destinationResource to an event of `pod`'s proxy. `authority`: its request's. */
export function withResources(inv: InventorySnapshot, e: TapEventJson, authority: string | undefined): TapEventJson {
  const self = `pod/${e.pod}`;
  if (e.direction === 'inbound') {
    const src = byAddress(inv, e.source);
    return { ...e, ...(src ? { sourceResource: src } : {}), destinationResource: self };
  }
  const dst = byAddress(inv, e.destination) ?? byAuthority(inv, authority, e.namespace);
  return { ...e, sourceResource: self, ...(dst ? { destinationResource: dst } : {}) };
}
