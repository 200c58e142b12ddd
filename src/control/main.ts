// `weft control`: the whole control plane in one process, as its Deployments would run on
// Kubernetes — identity (the CA directory under the state dir, created on first start),
// destination (the local store under the state dir, followed live so `weft apply` works) and,
// when Prometheus runs, the metrics API that `weft viz` calls.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address } from '../lib/address.js';
import { formatAddress } from '../lib/address.js';
import type { Logger } from '../lib/log.js';
import { runDestination } from './destination/run.js';
import { startIdentityService } from './identity/service.js';
import { CA_FILES, initCaDirectory } from './identity/store.js';
import type { Inventory } from './metrics/inventory.js';
import type { MetricsApi } from './metrics/server.js';
import { startMetricsApi } from './metrics/server.js';

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
  /** The metrics API (viz), when Prometheus runs. */
  readonly metricsApi?: {
    readonly listen: Address;
    readonly prometheusUrl: string;
    readonly scrapeIntervalMs: number;
    /** Built once identity knows the trust domain. */
    readonly inventory: (trustDomain: string) => Inventory;
  };
}

export interface ControlPlane {
  readonly identityPort: number;
  readonly destinationPort: number;
  /** 0 when the metrics API does not run. */
  readonly metricsApiPort: number;
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
  let metrics: MetricsApi | undefined;
  if (o.metricsApi) {
    try {
      metrics = await startMetricsApi({ ...o.metricsApi, inventory: o.metricsApi.inventory(identity.trustDomain), log: o.log?.child('metrics-api') });
    } catch (err) {
      await Promise.all([identity.close(), destination.close()]);
      throw err;
    }
  }
  return {
    identityPort: identity.port,
    destinationPort: destination.port,
    metricsApiPort: metrics?.port ?? 0,
    trustAnchorPem: identity.trustAnchorPem,
    close: async () => {
      await Promise.all([identity.close(), destination.close(), metrics?.close()]);
    },
  };
}
