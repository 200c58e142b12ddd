// Names the two ends of a tap event for people: the tapped pod is one end (destination of an
// inbound event, source of an outbound one); the other is found by address among the pods
// (a pod IP on any port, or in loopback mode one of the pod's own 127.0.0.1 ports), for an
// outbound request by the Service its authority names, and for an inbound request whose
// source address names nobody (loopback: the client proxy's ephemeral port) by the client's
// verified identity: its service account's pod, or the Deployment when it has several.
import { parseSpiffe } from '../../lib/spiffe.js';
import { matches, type InventorySnapshot } from '../metrics/inventory.js';
import type { TapEventJson } from './event-json.js';

function byAddress(inv: InventorySnapshot, addr: string): string | undefined {
  if (!addr) return undefined;
  const pod = inv.pods.find((p) => p.addresses.some((a) => matches(addr, a)));
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

function byIdentity(inv: InventorySnapshot, clientId: string | undefined): string | undefined {
  if (!clientId) return undefined;
  let id;
  try {
    id = parseSpiffe(clientId);
  } catch {
    return undefined;
  }
  if (id.trustDomain !== inv.trustDomain) return undefined;
  const pods = inv.pods.filter((p) => p.namespace === id.namespace && p.serviceAccount === id.serviceAccount);
  if (pods.length === 1) return `pod/${(pods[0] as (typeof pods)[number]).name}`;
  const deployments = new Set(pods.map((p) => p.deployment));
  return deployments.size === 1 ? `deploy/${[...deployments][0] as string}` : undefined;
}

/** Adds sourceResource/destinationResource to an event of `pod`'s proxy. `authority`: its request's. */
export function withResources(inv: InventorySnapshot, e: TapEventJson, authority: string | undefined): TapEventJson {
  const self = `pod/${e.pod}`;
  if (e.direction === 'inbound') {
    const src = byAddress(inv, e.source) ?? byIdentity(inv, e.sourceLabels['client_id']);
    return { ...e, ...(src ? { sourceResource: src } : {}), destinationResource: self };
  }
  const dst = byAddress(inv, e.destination) ?? byAuthority(inv, authority, e.namespace);
  return { ...e, sourceResource: self, ...(dst ? { destinationResource: dst } : {}) };
}
