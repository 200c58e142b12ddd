// `weft viz stat --kubernetes`: the same golden metrics as for the local mesh, from the pods of
// a cluster. Each meshed pod's proxy is scraped through the API server's pod proxy
// (GET /api/v1/namespaces/<ns>/pods/<pod>:<admin port>/proxy/metrics), so it works from wherever
// kubectl does, with no Prometheus and no port-forward; the caller needs `get pods/proxy`.
// Pods are grouped by their workload (a Deployment through its ReplicaSet, else the owner).
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { PROXY_CONTAINER } from '../control/injector/annotations.js';
import { kubeCall } from '../lib/kube.js';
import { parsePromText } from './prom-text.js';
import type { Sample } from './prom-text.js';
import type { StatRow, WorkloadScrape } from './stat.js';
import { computeStats } from './stat.js';

const ADMIN_PORT_NAME = 'weft-admin';
const DEFAULT_ADMIN_PORT = 4191;

/** The workload a pod belongs to: web-7d9f8c-abcde (ReplicaSet web-7d9f8c) -> web. */
export function workloadOf(p: V1Pod): string {
  const owner = p.metadata?.ownerReferences?.find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
  if (!owner) return p.metadata?.name ?? '';
  const hash = p.metadata?.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
  return owner.name;
}

function proxyOf(p: V1Pod): { port: number } | undefined {
  const c = [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].find((x) => x.name === PROXY_CONTAINER);
  if (!c) return undefined;
  return { port: c.ports?.find((x) => x.name === ADMIN_PORT_NAME)?.containerPort ?? DEFAULT_ADMIN_PORT };
}

export async function listPods(kc: KubeConfig, namespace: string | undefined): Promise<V1Pod[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const list = await kubeCall(kc, `list pods${namespace ? ` in ${namespace}` : ''}`, () =>
    namespace ? api.listNamespacedPod({ namespace }) : api.listPodForAllNamespaces());
  return list.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
}

async function scrapePod(api: CoreV1Api, p: V1Pod, port: number): Promise<Sample[] | undefined> {
  try {
    const text = await api.connectGetNamespacedPodProxyWithPath({ name: `${p.metadata?.name}:${port}`, namespace: p.metadata?.namespace ?? 'default', path: 'metrics' });
    return parsePromText(String(text));
  } catch {
    return undefined;
  }
}

async function snapshot(kc: KubeConfig, pods: readonly V1Pod[]): Promise<(Sample[] | undefined)[]> {
  const api = kc.makeApiClient(CoreV1Api);
  return Promise.all(pods.map((p) => {
    const proxy = proxyOf(p);
    return proxy ? scrapePod(api, p, proxy.port) : Promise.resolve(undefined);
  }));
}

/** Two scrapes of every meshed pod `windowMs` apart. */
export async function kubernetesStatOnce(kc: KubeConfig, windowMs: number, by: 'deploy' | 'ns', namespace?: string): Promise<StatRow[]> {
  const pods = await listPods(kc, namespace);
  const t0 = Date.now();
  const before = await snapshot(kc, pods);
  await new Promise((r) => setTimeout(r, windowMs));
  const after = await snapshot(kc, pods);
  const scrapes: WorkloadScrape[] = pods.map((p, i) => ({
    name: workloadOf(p),
    namespace: p.metadata?.namespace ?? 'default',
    meshed: proxyOf(p) !== undefined,
    before: before[i],
    after: after[i],
  }));
  return computeStats(scrapes, (Date.now() - t0) / 1000, by);
}
