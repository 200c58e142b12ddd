// What the local runtime makes, computed before anything is made (pure, so it is tested without
// root): the pods of each Deployment (one per replica), per pod its namespace, veth and address
// (from the slot it was given); per Service a virtual cluster IP; the EndpointSlices tying
// Services to pods; each pod's /etc/hosts; and the "kube-proxy" nat rules that take a cluster
// IP to a pod inside each pod's namespace.
//
// Addresses of network index n (0 by default; tests pick others so runs can coexist):
//   bridge weft<n> 10.77.<n>.1/24, pods 10.77.<n>.2..254, cluster IPs 10.77.<128+n>.1..254
// (all of them inside 10.77.128.0/17 for n < 128). Names: namespace weft<n>p<slot>, host veth
// weft<n>v<slot> — short (Linux allows 15 bytes) and prefixed, so a crashed run is found by name.
import { ConfigError } from '../../lib/errors.js';
import type { Endpoint, EndpointPort, EndpointSlice, Service } from '../../control/store/types.js';
import { SERVICE_NAME_LABEL } from '../../control/store/types.js';
import type { MeshSpec, ServiceSpec, WorkloadSpec } from './mesh-file.js';
import { selects, targetPort } from './mesh-file.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'weft-up';
export const SERVICES_CHAIN = 'WEFT_SERVICES';
export const MAX_NETWORK_INDEX = 127;

export interface NetworkNames {
  readonly index: number;
  readonly bridge: string;
  readonly gateway: string;
  readonly prefixLength: 24;
  readonly netnsPrefix: string;
  readonly vethPrefix: string;
}

export function networkNames(index: number): NetworkNames {
  if (!Number.isInteger(index) || index < 0 || index > MAX_NETWORK_INDEX) {
    throw new ConfigError(`network index ${index}: expected 0..${MAX_NETWORK_INDEX}`);
  }
  return Object.freeze({
    index,
    bridge: `weft${index}`,
    gateway: `10.77.${index}.1`,
    prefixLength: 24,
    netnsPrefix: `weft${index}p`,
    vethPrefix: `weft${index}v`,
  });
}

/** One replica of a Deployment: the unit the runtime starts, stops and restarts. */
export interface PodSpec {
  /** The Deployment's name with one replica, else `<deployment>-<i>` (as a StatefulSet names pods). */
  readonly name: string;
  readonly workload: WorkloadSpec;
  readonly replica: number;
}

/** A pod placed on the network (namespace mode): its slot decides its names and address. */
export interface PodPlan extends PodSpec {
  readonly slot: number;
  readonly netns: string;
  readonly hostIf: string;
  readonly ip: string;
}

export interface ServicePlan {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  /** service port -> endpoints (pod ip:port, or a loopback proxy address) */
  readonly ports: readonly { readonly port: number; readonly endpoints: readonly { ip: string; port: number; pod: string }[] }[];
}

export const MAX_PODS = 253;
export const MAX_SERVICES = 254;

/** The pods of some Deployments, in order (replicas of one Deployment side by side). */
export function podsOf(workloads: readonly WorkloadSpec[]): PodSpec[] {
  return workloads.flatMap((workload) => Array.from({ length: workload.replicas }, (_, replica) => ({
    name: workload.replicas === 1 ? workload.name : `${workload.name}-${replica}`,
    workload,
    replica,
  })));
}

/** The namespace, veth and address of the pod in `slot` (0..252). */
export function placePod(pod: PodSpec, net: NetworkNames, slot: number): PodPlan {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_PODS) throw new ConfigError(`pod ${pod.name}: no free address (at most ${MAX_PODS} pods per network)`);
  return { ...pod, slot, netns: `${net.netnsPrefix}${slot}`, hostIf: `${net.vethPrefix}${slot}`, ip: `10.77.${net.index}.${slot + 2}` };
}

/** The cluster IP of the Service in `slot` (0..253). */
export function clusterIpOf(net: NetworkNames, slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SERVICES) throw new ConfigError(`no free cluster IP (at most ${MAX_SERVICES} Services per network)`);
  return `10.77.${128 + net.index}.${slot + 1}`;
}

/** The lowest slot not in `used` (slots of removed pods and Services are given out again). */
export function lowestFree(used: ReadonlySet<number>): number {
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

/** Pods in file order, in slots 0, 1, 2, ... (what a fresh `up` makes). */
export function planPods(mesh: MeshSpec, net: NetworkNames): PodPlan[] {
  const pods = podsOf(mesh.workloads);
  if (pods.length > MAX_PODS) throw new ConfigError(`${mesh.file}: at most ${MAX_PODS} pods (got ${pods.length})`);
  return pods.map((p, i) => placePod(p, net, i));
}

/**
 * Where a pod's port is reached: pod IP (namespace mode) or loopback + its proxy's port, and
 * the port its proxy takes inbound traffic on when that is not the default 4143 (loopback).
 */
export type EndpointAddress = (pod: PodSpec, port: number) => { ip: string; port: number; proxyInboundPort?: number } | undefined;

/** A Service with the cluster IP it was given ('' in loopback mode). */
export interface PlacedService {
  readonly spec: ServiceSpec;
  readonly clusterIP: string;
}

/** Each service port's endpoints: every selected pod's target port. */
export function servicePlans(services: readonly PlacedService[], pods: readonly PodSpec[], address: EndpointAddress): ServicePlan[] {
  return services.map(({ spec: { service, selector }, clusterIP }) => {
    const ns = service.metadata.namespace;
    const selected = pods.filter((p) => selects(selector, p.workload, ns));
    return {
      namespace: ns,
      name: service.metadata.name,
      clusterIP,
      ports: service.spec.ports.map((sp) => ({
        port: sp.port,
        endpoints: selected.flatMap((p) => {
          const tp = targetPort(p.workload, sp.targetPort, sp.port);
          const a = tp === undefined ? undefined : address(p, tp);
          return a ? [{ ip: a.ip, port: a.port, pod: p.name }] : [];
        }),
      })),
    };
  });
}

/** Cluster IPs in file order (what a fresh `up` gives) and each service port's endpoints. */
export function planServices(mesh: MeshSpec, net: NetworkNames | undefined, address: EndpointAddress): ServicePlan[] {
  if (mesh.services.length > MAX_SERVICES) throw new ConfigError(`${mesh.file}: at most ${MAX_SERVICES} Services (got ${mesh.services.length})`);
  return servicePlans(mesh.services.map((spec, j) => ({ spec, clusterIP: net ? clusterIpOf(net, j) : '' })), podsOf(mesh.workloads), address);
}

/** The Services for the store, with their cluster IPs set. */
export function servicesWithClusterIps(services: readonly PlacedService[]): Service[] {
  return services.map(({ spec: { service }, clusterIP }) =>
    Object.freeze({ ...service, spec: Object.freeze({ ...service.spec, clusterIP: clusterIP || service.spec.clusterIP }) }));
}

/**
 * The EndpointSlices of each Service: one per selected Deployment, listing every replica with
 * its readiness (the destination service hands out ready endpoints only). Pods whose ports
 * differ (loopback mode: each has its own proxy port) get a slice each.
 */
export function endpointSlices(services: readonly ServiceSpec[], pods: readonly PodSpec[], address: EndpointAddress, ready: (pod: string) => boolean = () => true): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (const { service, selector } of services) {
    const ns = service.metadata.namespace;
    const groups = new Map<string, { deployment: string; ports: EndpointPort[]; endpoints: Endpoint[] }>();
    for (const p of pods.filter((x) => selects(selector, x.workload, ns))) {
      let ip: string | undefined;
      let proxyInboundPort: number | undefined;
      const ports: EndpointPort[] = [];
      for (const sp of service.spec.ports) {
        const tp = targetPort(p.workload, sp.targetPort, sp.port);
        const a = tp === undefined ? undefined : address(p, tp);
        if (!a) continue;
        ip = a.ip;
        proxyInboundPort ??= a.proxyInboundPort;
        ports.push(Object.freeze({ name: sp.name, port: a.port, protocol: sp.protocol }));
      }
      if (ip === undefined) continue;
      const key = `${p.workload.name}\0${ports.map((x) => x.port).join(',')}`;
      const g = groups.get(key) ?? { deployment: p.workload.name, ports, endpoints: [] };
      groups.set(key, g);
      g.endpoints.push(Object.freeze({
        addresses: Object.freeze([ip]),
        ready: ready(p.name),
        zone: undefined,
        hostname: p.name,
        targetRef: Object.freeze({ kind: 'Pod', name: p.name, namespace: p.workload.namespace, serviceAccountName: p.workload.serviceAccount, proxyInboundPort }),
      }));
    }
    const perDeployment = new Map<string, number>();
    for (const g of groups.values()) {
      const n = perDeployment.get(g.deployment) ?? 0;
      perDeployment.set(g.deployment, n + 1);
      out.push(Object.freeze({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: Object.freeze({
          name: `${service.metadata.name}-${g.deployment}${n ? `-${n}` : ''}`.slice(0, 253),
          namespace: ns,
          labels: Object.freeze({ [SERVICE_NAME_LABEL]: service.metadata.name, [MANAGED_BY_LABEL]: MANAGED_BY }),
          annotations: Object.freeze({}),
          resourceVersion: '0',
        }),
        addressType: 'IPv4',
        endpoints: Object.freeze(g.endpoints),
        ports: Object.freeze(g.ports),
      }));
    }
  }
  return out;
}

/** A pod's /etc/hosts: localhost, itself, and every Service's names at its cluster IP. */
export function hostsFile(pod: PodPlan, services: readonly ServicePlan[], clusterDomain = 'cluster.local'): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${pod.ip}\t${pod.name}`];
  for (const s of services) {
    const names = [`${s.name}.${s.namespace}.svc.${clusterDomain}`, `${s.name}.${s.namespace}.svc`, `${s.name}.${s.namespace}`];
    // The short name means "in my namespace", as in a pod's DNS search path.
    if (s.namespace === pod.workload.namespace) names.push(s.name);
    lines.push(`${s.clusterIP}\t${names.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * iptables-restore input (for --noflush) taking cluster IP:port to an endpoint, in a pod's own
 * nat OUTPUT chain, after weft's interception jump: the app's connections are redirected to
 * the proxy first (which sees the cluster IP as the original destination); the proxy's own
 * connections (its uid RETURNs from weft's chain) then meet these rules, as they would meet
 * kube-proxy's on a node. Several endpoints are chosen at random, as kube-proxy does.
 */
export function renderServiceRules(services: readonly ServicePlan[], o: { jump?: boolean } = {}): string {
  const rules: string[] = [];
  for (const s of services) {
    for (const p of s.ports) {
      const n = p.endpoints.length;
      p.endpoints.forEach((e, k) => {
        const pick = k < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - k)).toFixed(5)}` : '';
        rules.push(`-A ${SERVICES_CHAIN} -d ${s.clusterIP}/32 -p tcp -m tcp --dport ${p.port}${pick} -j DNAT --to-destination ${e.ip}:${e.port}`);
      });
      // No endpoint: refuse at once instead of letting the connection hang on a virtual IP.
      if (n === 0) rules.push(`-A ${SERVICES_CHAIN} -d ${s.clusterIP}/32 -p tcp -m tcp --dport ${p.port} -j DNAT --to-destination 127.0.0.1:1`);
    }
  }
  // Declaring the chain flushes it: an update (jump: false) replaces the rules, keeping the jump.
  return ['*nat', `:${SERVICES_CHAIN} - [0:0]`, ...rules, ...(o.jump === false ? [] : [`-A OUTPUT -j ${SERVICES_CHAIN}`]), 'COMMIT', ''].join('\n');
}
