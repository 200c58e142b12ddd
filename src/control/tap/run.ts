// The tap component: obtains the tap identity's certificate from the identity service (with a
// join token, like a proxy) and serves the tap API. Runs inside `weft control`, or alone as
// `weft tap`.
import type { Address } from '../../lib/address.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import type { Logger } from '../../lib/log.js';
import { IdentityClient } from '../../proxy/identity/client.js';
import type { Inventory } from '../metrics/inventory.js';
import { tapWorkloadId } from './identity.js';
import { startTapApi, type TapApi } from './server.js';

export interface TapComponentOptions {
  readonly listen: Address;
  readonly inventory: Inventory;
  readonly trustDomain: string;
  readonly trustAnchorsPem: string;
  /** host:port of the identity service. */
  readonly identityAddr: string;
  /** Its TLS name, when not the default for the trust domain (on a cluster: the injector config's). */
  readonly identityName?: string | undefined;
  /** Who the tap component is (default: ns weft-viz, sa tap; on a cluster its service account's). */
  readonly identity?: WorkloadId | undefined;
  /** A join token proving the tap identity. */
  readonly token: () => Buffer | Promise<Buffer>;
  readonly log?: Logger | undefined;
}

export interface TapComponent extends TapApi {
  /** Resolves when the tap identity holds its certificate. */
  readonly ready: Promise<void>;
}

export async function startTapComponent(o: TapComponentOptions): Promise<TapComponent> {
  const identity = new IdentityClient({
    identity: o.identity ?? tapWorkloadId(o.trustDomain),
    token: o.token,
    trustAnchorsPem: o.trustAnchorsPem,
    address: o.identityAddr,
    ...(o.identityName ? { serverName: o.identityName } : {}),
    ...(o.log ? { log: o.log.child('identity') } : {}),
  });
  identity.on('error', (err: Error) => o.log?.warn('tap certificate request failed; will retry', { err }));
  identity.start();
  let api: TapApi;
  try {
    api = await startTapApi({ listen: o.listen, inventory: o.inventory, tls: () => identity.secureContext(), log: o.log });
  } catch (err) {
    identity.close();
    throw err;
  }
  return {
    port: api.port,
    ready: identity.ready,
    close: async () => {
      identity.close();
      await api.close();
    },
  };
}
