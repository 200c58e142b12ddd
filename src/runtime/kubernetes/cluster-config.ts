// The installed configuration, read back from the cluster: the injector's config.yaml (for
// `weft inject` without --config) and the install values (for `weft upgrade`).
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { InjectorConfig } from '../../control/injector/config.js';
import { parseInjectorConfig } from '../../control/injector/config.js';
import { ConfigError } from '../../lib/errors.js';
import { isNotFound, kubeCall } from '../../lib/kube.js';
import { CONFIG_KEY, CONFIG_MAP, NAMESPACE, VALUES_KEY } from './names.js';
import type { InstallValues } from './values.js';
import { parseStoredValues } from './values.js';

async function configMapKey(kc: KubeConfig, key: string): Promise<string> {
  const api = kc.makeApiClient(CoreV1Api);
  try {
    const cm = await kubeCall(kc, `read configmap ${NAMESPACE}/${CONFIG_MAP}`, () => api.readNamespacedConfigMap({ namespace: NAMESPACE, name: CONFIG_MAP }));
    const v = cm.data?.[key];
    if (!v) throw new ConfigError(`configmap ${NAMESPACE}/${CONFIG_MAP} has no ${key}`);
    return v;
  } catch (err) {
    if (isNotFound(err)) throw new ConfigError(`weft is not installed in this cluster (no configmap ${NAMESPACE}/${CONFIG_MAP}): run weft install | kubectl apply -f -`, { cause: err });
    throw err;
  }
}

export async function readInjectorConfig(kc: KubeConfig): Promise<InjectorConfig> {
  return parseInjectorConfig(await configMapKey(kc, CONFIG_KEY), `configmap ${NAMESPACE}/${CONFIG_MAP} ${CONFIG_KEY}`);
}

export async function readInstalledValues(kc: KubeConfig): Promise<InstallValues> {
  return parseStoredValues(await configMapKey(kc, VALUES_KEY));
}
