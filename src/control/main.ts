// `weft control`: the whole control plane in one process, as its Deployments would run on
// Kubernetes — identity (the CA directory under the state dir, created on first start),
// destination (the local store under the state dir, followed live so `weft apply` works) and,
// when Prometheus runs, the metrics API that `weft viz` calls and the dashboard (src/web/).
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
import { tapWorkloadId } from './tap/identity.js';
import { startTapComponent, type TapComponent } from './tap/run.js';
import type { WebServer } from '../web/server.js';
import { startWebServer } from '../web/server.js';
import { tapApiSource } from '../web/tap-api-source.js';

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
  /** The tap component (its API for `weft viz tap/top`). */
  readonly tap?: {
    readonly listen: Address;
    readonly inventory: (trustDomain: string) => Inventory;
  };
  /** The dashboard (needs the metrics API): loopback unless told otherwise. */
  readonly web?: { readonly listen: Address; readonly prometheusUrl: string };
}

export interface ControlPlane {
  readonly identityPort: number;
  readonly destinationPort: number;
  /** 0 when the metrics API does not run. */
  readonly metricsApiPort: number;
  /** 0 when the tap component does not run. */
  readonly tapApiPort: number;
  /** 0 when the dashboard does not run. */
  readonly webPort: number;
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
  let tap: TapComponent | undefined;
  if (o.tap) {
    // The tap component is a client of this identity service like any proxy: a join token for
    // its identity, a CSR, a renewed certificate.
    const id = tapWorkloadId(identity.trustDomain);
    try {
      tap = await startTapComponent({
        listen: o.tap.listen, inventory: o.tap.inventory(identity.trustDomain), trustDomain: identity.trustDomain, trustAnchorsPem: identity.trustAnchorPem,
        identityAddr: formatAddress({ host: o.listenIdentity.host === '0.0.0.0' ? '127.0.0.1' : o.listenIdentity.host, port: identity.port }),
        token: () => Buffer.from(identity.issueJoinToken(id)), log: o.log?.child('tap'),
      });
    } catch (err) {
      await Promise.all([identity.close(), destination.close(), metrics?.close()]);
      throw err;
    }
  }
  let web: WebServer | undefined;
  if (o.web && metrics && o.metricsApi) {
    const host = (a: Address): string => (a.host === '0.0.0.0' ? '127.0.0.1' : a.host);
    try {
      web = await startWebServer({
        listen: o.web.listen,
        metricsApiAddr: formatAddress({ host: host(o.metricsApi.listen), port: metrics.port }),
        health: {
          identityAddr: formatAddress({ host: host(o.listenIdentity), port: identity.port }),
          destinationAddr: formatAddress({ host: host(o.listenDestination), port: destination.port }),
          metricsApiAddr: formatAddress({ host: host(o.metricsApi.listen), port: metrics.port }),
          prometheusUrl: o.web.prometheusUrl,
          identityDir: o.identityDir,
        },
        ...(tap ? { tap: tapApiSource(formatAddress({ host: host(o.tap?.listen ?? o.listenIdentity), port: tap.port })) } : {}),
        log: o.log?.child('web'),
      });
    } catch (err) {
      await Promise.all([identity.close(), destination.close(), metrics.close(), tap?.close()]);
      throw err;
    }
  }
  return {
    identityPort: identity.port,
    destinationPort: destination.port,
    metricsApiPort: metrics?.port ?? 0,
    tapApiPort: tap?.port ?? 0,
    webPort: web?.port ?? 0,
    trustAnchorPem: identity.trustAnchorPem,
    close: async () => {
      await Promise.all([identity.close(), destination.close(), metrics?.close(), tap?.close(), web?.close()]);
    },
  };
}
