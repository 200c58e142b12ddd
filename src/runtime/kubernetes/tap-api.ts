// How the CLI reaches a cluster's tap API: through the API server's proxy to the weft-tap
// Service (/api/v1/namespaces/weft/services/weft-tap:http/proxy/...), with the kubeconfig's
// credentials, as `viz stat --kubernetes` reaches the proxies. So it works from wherever kubectl
// does, with no port-forward; the caller needs `get services/proxy` on weft-tap in weft.
import type { KubeConfig } from '@kubernetes/client-node';
import type https from 'node:https';
import type { TapApiVia } from '../../control/tap/client.js';
import { ConfigError } from '../../lib/errors.js';
import { NAMESPACE, SERVICE, TAP_PORT_NAME } from './names.js';

export async function clusterTapApi(kc: KubeConfig): Promise<TapApiVia> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new ConfigError('the kubeconfig names no cluster server');
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return { base: `${server.replace(/\/$/, '')}/api/v1/namespaces/${NAMESPACE}/services/${SERVICE.tap}:${TAP_PORT_NAME}/proxy`, options };
}
