// How the CLI reaches a cluster's metrics API (`weft viz install`): through the API server's
// proxy to the weft-metrics-api Service (/api/v1/namespaces/weft-viz/services/weft-metrics-api:
// http/proxy/...), with the kubeconfig's credentials — as tap-api.ts reaches tap. It works from
// wherever kubectl does, with no port-forward; the caller needs `get services` and
// `get services/proxy` on weft-metrics-api in weft-viz.
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type https from 'node:https';
import { MetricsApiClient } from '../../../control/metrics/client.js';
import { ConfigError, WeftError } from '../../../lib/errors.js';
import { isNotFound, kubeCall } from '../../../lib/kube.js';
import { METRICS_API_PORT_NAME, VIZ_NAME, VIZ_NAMESPACE } from './names.js';

export const CLUSTER_METRICS_API = `svc/${VIZ_NAME['metrics-api']} in ${VIZ_NAMESPACE}, through the API server`;

/** The cluster's metrics API, or undefined when the viz extension is not installed (no Service). */
export async function clusterMetricsApi(kc: KubeConfig): Promise<MetricsApiClient | undefined> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new ConfigError('the kubeconfig names no cluster server');
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await kubeCall(kc, `read service ${VIZ_NAME['metrics-api']} in ${VIZ_NAMESPACE}`, () => core.readNamespacedService({ name: VIZ_NAME['metrics-api'], namespace: VIZ_NAMESPACE }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new MetricsApiClient(CLUSTER_METRICS_API, 30_000, {
    base: `${server.replace(/\/$/, '')}/api/v1/namespaces/${VIZ_NAMESPACE}/services/${VIZ_NAME['metrics-api']}:${METRICS_API_PORT_NAME}/proxy`,
    options,
    hint: `see \`kubectl -n ${VIZ_NAMESPACE} get pods\` and \`kubectl -n ${VIZ_NAMESPACE} logs deploy/${VIZ_NAME['metrics-api']}\``,
  });
}

export class VizNotInstalledError extends WeftError {
  constructor(what: string) {
    super('WEFT_ERR_VIZ_NOT_INSTALLED', `${what} --kubernetes needs the viz extension, and this cluster has none (no Service ${VIZ_NAME['metrics-api']} in ${VIZ_NAMESPACE}): weft viz install | kubectl apply -f -`);
  }
}
