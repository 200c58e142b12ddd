// `weft control`: the whole control plane in one process, as its Deployments would run on
// Kubernetes — identity (the CA directory under the state dir, created on first start) and
// destination (the local store under the state dir, followed live so `weft apply` works).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address } from '../lib/address.js';
import { formatAddress } from '../lib/address.js';
import type { Logger } from '../lib/log.js';
import { runDestination } from './destination/run.js';
import { startIdentityService } from './identity/service.js';
import { CA_FILES, initCaDirectory } from './identity/store.js';

export interface ControlPlaneOptions {
  /** The store's directory (`weft apply --state-dir`). */
  readonly storeDir: string;
  /** The CA directory. */
  readonly identityDir: string;
  readonly listenIdentity: Address;
  readonly listenDestination: Address;
  readonly trustDomain?: string;
  readonly clusterDomain?: string;
  readonly log?: Logger;
}

export interface ControlPlane {
  readonly identityPort: number;
  readonly destinationPort: number;
  readonly trustAnchorPem: string;
  close(): Promise<void>;
}

/** Creates the CA directory unless it already holds a trust anchor; true when it was created. */
export async function ensureCaDirectory(dir: string, trustDomain?: string): Promise<boolean> {
  try {
    await access(join(dir, CA_FILES.anchorCert));
    return false;
  } catch {
    await initCaDirectory({ dir, ...(trustDomain ? { trustDomain } : {}) });
    return true;
  }
}

export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  if (await ensureCaDirectory(o.identityDir, o.trustDomain)) o.log?.info('created CA directory', { dir: o.identityDir });
  const identity = await startIdentityService({
    dir: o.identityDir,
    listen: o.listenIdentity,
    ...(o.trustDomain ? { trustDomain: o.trustDomain } : {}),
    ...(o.log ? { log: o.log.child('identity') } : {}),
  });
  let destination;
  try {
    destination = await runDestination(
      {
        stateDir: o.storeDir,
        listen: formatAddress(o.listenDestination),
        trustDomain: identity.trustDomain,
        ...(o.clusterDomain ? { clusterDomain: o.clusterDomain } : {}),
      },
      o.log?.child('destination'),
    );
  } catch (err) {
    await identity.close();
    throw err;
  }
  return {
    identityPort: identity.port,
    destinationPort: destination.port,
    trustAnchorPem: identity.trustAnchorPem,
    close: async () => {
      await Promise.all([identity.close(), destination.close()]);
    },
  };
}
