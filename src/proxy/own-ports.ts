// The proxy's own listening ports (outbound, inbound, admin, and any listener added later such
// as tap). Inbound traffic must never be sent to one of them: a transport header naming the
// admin port would reach /shutdown and /env.json from outside the pod, and an original
// destination equal to the inbound port would loop the connection into the proxy itself.
// Filled by proxy.ts once each listener is bound (so port 0 in tests works), read per connection.
import { networkInterfaces } from 'node:os';
import type { Address } from '../lib/address.js';

export class OwnPorts {
  private readonly ports = new Set<number>();

  /** Records a bound listener's port. */
  add(port: number): void {
    this.ports.add(port);
  }

  /** True when `target` is one of the proxy's own listeners on this host. */
  isOwn(target: Address): boolean {
    // The port test first: the host test (interfaces) runs only for the rare match.
    return this.ports.has(target.port) && isLocalHost(target.host);
  }
}

/** Loopback, unspecified, or an address of one of this host's (network namespace's) interfaces. */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/^::ffff:/, '');
  if (h === 'localhost' || h === '::1' || h === '::' || h === '0.0.0.0' || /^127\./.test(h)) return true;
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.address.toLowerCase() === h) return true;
  return false;
}
