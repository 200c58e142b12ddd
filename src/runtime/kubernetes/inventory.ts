// The inventory on a cluster (for the tap component in `weft install`, and the metrics API of
// `weft viz install`): pods and Services from the API server at each request, as the local
// runtime's comes from run.json. A meshed pod is one with weft's proxy container; its tap
// server is its pod IP on the proxy's `weft-tap` port (the injector names it). ServiceProfile
// routes are read only when asked (the metrics API: `viz routes`); tap names ends and picks
// proxies, nothing more, and its RBAC has no ServiceProfiles.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import { PROXY_CONTAINER } from '../../control/injector/annotations.js';
import type { Inventory, InventorySnapshot, PodInfo, ServiceInfo } from '../../control/metrics/inventory.js';
import { isNotFound, kubeCall } from '../../lib/kube.js';
import { workloadOf } from '../../viz/kubernetes.js';

const TAP_PORT_NAME = 'weft-tap';

function podInfo(p: V1Pod): PodInfo {
  const proxy = [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].find((c) => c.name === PROXY_CONTAINER);
  const ip = p.status?.podIP;
  const tapPort = proxy?.ports?.find((x) => x.name === TAP_PORT_NAME)?.containerPort;
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? 'default',
    deployment: workloadOf(p),
    serviceAccount: p.spec?.serviceAccountName ?? 'default',
    meshed: proxy !== undefined,
    addresses: ip ? [{ host: ip }] : [],
    tapAddr: proxy && ip && tapPort ? `${ip}:${tapPort}` : undefined,
  };
}

function selects(selector: Record<string, string> | undefined, p: V1Pod): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = p.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** ServiceProfile route names by profile (namespace/fqdn); weft's profile first when both exist. */
type Profiles = ReadonlyMap<string, readonly string[]>;

/** weft.io's ServiceProfile first, Linkerd's read for migration (the destination's order). */
const PROFILE_SOURCES = [{ group: 'weft.io', version: 'v1alpha1' }, { group: 'linkerd.io', version: 'v1alpha2' }] as const;

interface ProfileObject { metadata?: { name?: string; namespace?: string }; spec?: { routes?: { name?: string }[] } }

function serviceInfo(s: V1Service, pods: readonly V1Pod[], clusterDomain: string, profiles: Profiles): ServiceInfo {
  const namespace = s.metadata?.namespace ?? 'default';
  const name = s.metadata?.name ?? '';
  const routes = profiles.get(`${namespace}/${name}.${namespace}.svc.${clusterDomain}`);
  const ports = s.spec?.ports ?? [];
  const clusterIP = s.spec?.clusterIP && s.spec.clusterIP !== 'None' ? s.spec.clusterIP : '';
  return {
    namespace, name, fqdn: `${name}.${namespace}.svc.${clusterDomain}`, clusterIP,
    ports: ports.map((p) => p.port),
    targetPorts: ports.map((p) => (typeof p.targetPort === 'number' ? p.targetPort : p.port)),
    pods: pods.filter((p) => p.metadata?.namespace === namespace && selects(s.spec?.selector, p)).map((p) => p.metadata?.name ?? ''),
    routes: routes ?? [],
    hasProfile: routes !== undefined,
  };
}

export class KubernetesInventory implements Inventory {
  private readonly api: CoreV1Api;

  constructor(
    private readonly kc: KubeConfig,
    private readonly trustDomain: string,
    private readonly clusterDomain = 'cluster.local',
    private readonly withProfiles = false,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  /** Route names of every ServiceProfile; a kind whose CRD is not installed has none. */
  private async profiles(): Promise<Profiles> {
    const out = new Map<string, readonly string[]>();
    if (!this.withProfiles) return out;
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    for (const src of PROFILE_SOURCES) {
      let items: ProfileObject[];
      try {
        const list = await kubeCall(this.kc, `list serviceprofiles.${src.group}`, () => custom.listClusterCustomObject({ ...src, plural: 'serviceprofiles' }));
        items = (list as { items?: ProfileObject[] }).items ?? [];
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      for (const p of items) {
        const key = `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`;
        if (!out.has(key)) out.set(key, (p.spec?.routes ?? []).map((r) => r.name ?? ''));
      }
    }
    return out;
  }

  async snapshot(): Promise<InventorySnapshot> {
    const [pods, services, profiles] = await Promise.all([
      kubeCall(this.kc, 'list pods', () => this.api.listPodForAllNamespaces()),
      kubeCall(this.kc, 'list services', () => this.api.listServiceForAllNamespaces()),
      this.profiles(),
    ]);
    const running = pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    return {
      trustDomain: this.trustDomain,
      pods: running.map(podInfo),
      services: services.items.map((s) => serviceInfo(s, running, this.clusterDomain, profiles)),
    };
  }
}
