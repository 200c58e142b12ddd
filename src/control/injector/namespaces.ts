// Namespace annotations for the injector (weft.io/inject and config.weft.io/* set on a
// namespace): an informer keeps them at hand, so admitting a pod costs no API call; until it
// has synced, or for a namespace it has not seen yet (created a moment ago), one GET answers.
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Namespace } from '@kubernetes/client-node';
import { isNotFound, kubeCall } from '../../lib/kube.js';
import type { Logger } from '../../lib/log.js';
import { ResilientInformer } from '../store/kubernetes/informer.js';

export interface NamespaceAnnotations {
  get(name: string): Promise<Readonly<Record<string, string>>>;
  close(): Promise<void>;
}

export function watchNamespaceAnnotations(kc: KubeConfig, log?: Logger): NamespaceAnnotations {
  const api = kc.makeApiClient(CoreV1Api);
  const noop = (): void => undefined;
  const informer = new ResilientInformer<V1Namespace>(kc, '/api/v1/namespaces', () => api.listNamespace(), { add: noop, update: noop, delete: noop }, log);
  informer.start();
  return {
    async get(name) {
      const cached = informer.get(name);
      if (cached) return cached.metadata?.annotations ?? {};
      try {
        const ns = await kubeCall(kc, `read namespace ${name}`, () => api.readNamespace({ name }));
        return ns.metadata?.annotations ?? {};
      } catch (err) {
        if (isNotFound(err)) return {};
        throw err;
      }
    },
    close: () => informer.close(),
  };
}
