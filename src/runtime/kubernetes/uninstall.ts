// `weft uninstall`: what is installed, read from the cluster by the install's label (so
// objects of an older version are found too), printed for `kubectl delete -f -`. Webhook
// configurations go first (nothing more is sent to an injector about to disappear), then the
// cluster-wide RBAC and the CRDs, then the namespace, whose deletion takes every namespaced
// object of the install with it. Injected workloads in other namespaces are left alone: their
// proxies keep running until the pods are restarted (or `weft uninject` is applied).
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { isNotFound, kubeCall } from '../../lib/kube.js';
import type { K8sObject } from './manifests/yaml.js';
import { NAMESPACE, PART_OF, PART_OF_LABEL } from './names.js';

/** Cluster-scoped kinds an install creates, in deletion order. */
export const CLUSTER_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
];

function header(apiVersion: string, kind: string, o: KubernetesObject): K8sObject {
  return { apiVersion, kind, metadata: { name: o.metadata?.name ?? '' } };
}

/** What an install is: its namespace and its objects' part-of label (weft's own, or the viz extension's). */
export interface InstallScope {
  readonly namespace: string;
  readonly partOf: string;
}

/** The objects to delete, as minimal manifests; empty when nothing of the install is there. */
export async function installedObjects(kc: KubeConfig, scope: InstallScope = { namespace: NAMESPACE, partOf: PART_OF }): Promise<K8sObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const selector = `${PART_OF_LABEL}=${scope.partOf}`;
  const out: K8sObject[] = [];
  for (const { apiVersion, kind } of CLUSTER_KINDS) {
    const list = await kubeCall(kc, `list ${kind}`, () => api.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, selector));
    for (const o of [...list.items].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) out.push(header(apiVersion, kind, o));
  }
  try {
    const ns = await kubeCall(kc, `read namespace ${scope.namespace}`, () => api.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: scope.namespace } }));
    out.push(header('v1', 'Namespace', ns));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return out;
}
