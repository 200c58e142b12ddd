// What `weft up` will make, computed before anything is made (pure, so it is tested without
// root): per workload its namespace, veth and address; per Service a virtual cluster IP; the
// EndpointSlices tying Services to workloads; each pod's /etc/hosts; and the "kube-proxy" nat
// rules that take a cluster IP to a pod inside each pod's namespace.
//
// Addresses of network index n (0 by default; tests pick others so runs can coexist):
//   bridge weft<n> 10.77.<n>.1/24, pods 10.77.<n>.2..254, cluster IPs 10.77.<128+n>.1..254
// (all of them inside 10.77.128.0/17 for n < 128). Names: namespace weft<n>p<i>, host veth
// weft<n>v<i> — short (Linux allows 15 bytes) and prefixed, so a crashed run is found by name.
import { ConfigError } from '../../lib/errors.js';
import type { EndpointPort, EndpointSlice, Service } from '../../control/store/types.js';
import { SERVICE_NAME_LABEL } from '../../control/store/types.js';
import type { MeshSpec, WorkloadSpec } from './mesh-file.js';
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

export interface PodPlan {
  readonly workload: WorkloadSpec;
  readonly netns: string;
  readonly hostIf: string;
  readonly ip: string;
}

export interface ServicePlan {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  /** service port -> pod ip:port endpoints */
  readonly ports: readonly { readonly port: number; readonly endpoints: readonly { ip: string; port: number }[] }[];
}

/** Pods: namespaces and addresses in file order (at most 253). */
export function planPods(mesh: MeshSpec, net: NetworkNames): PodPlan[] {
  if (mesh.workloads.length > 253) throw new ConfigError(`${mesh.file}: at most 253 workloads (got ${mesh.workloads.length})`);
  return mesh.workloads.map((workload, i) => ({
    workload,
    netns: `${net.netnsPrefix}${i}`,
    hostIf: `${net.vethPrefix}${i}`,
    ip: `10.77.${net.index}.${i + 2}`,
  }));
}

/**
 * Where a workload's endpoints are: pod IP (namespace mode) or loopback + its proxy's port, and
 * the port its proxy takes inbound traffic on when that is not the default 4143 (loopback).
 */
export type EndpointAddress = (w: WorkloadSpec, port: number) => { ip: string; port: number; proxyInboundPort?: number } | undefined;

/** Cluster IPs (in file order) and each service port's endpoints. */
export function planServices(mesh: MeshSpec, net: NetworkNames | undefined, address: EndpointAddress): ServicePlan[] {
  if (mesh.services.length > 254) throw new ConfigError(`${mesh.file}: at most 254 Services (got ${mesh.services.length})`);
  return mesh.services.map(({ service, selector }, j) => {
    const ns = service.metadata.namespace;
    const selected = mesh.workloads.filter((w) => selects(selector, w, ns));
    return {
      namespace: ns,
      name: service.metadata.name,
      clusterIP: net ? `10.77.${128 + net.index}.${j + 1}` : '',
      ports: service.spec.ports.map((sp) => ({
        port: sp.port,
        endpoints: selected.flatMap((w) => {
          const tp = targetPort(w, sp.targetPort, sp.port);
          const a = tp === undefined ? undefined : address(w, tp);
          return a ? [{ ip: a.ip, port: a.port }] : [];
        }),
      })),
    };
  });
}

/** The Services for the store, with their cluster IPs set. */
export function servicesWithClusterIps(mesh: MeshSpec, plans: readonly ServicePlan[]): Service[] {
  return mesh.services.map(({ service }, j) => {
    const ip = plans[j]?.clusterIP;
    return Object.freeze({ ...service, spec: Object.freeze({ ...service.spec, clusterIP: ip || service.spec.clusterIP }) });
  });
}

/** One EndpointSlice per (Service, selected workload), labelled so `up` can replace them. */
export function endpointSlices(mesh: MeshSpec, address: EndpointAddress): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (const { service, selector } of mesh.services) {
    const ns = service.metadata.namespace;
    for (const w of mesh.workloads.filter((x) => selects(selector, x, ns))) {
      let ip: string | undefined;
      let proxyInboundPort: number | undefined;
      const ports: EndpointPort[] = [];
      for (const sp of service.spec.ports) {
        const tp = targetPort(w, sp.targetPort, sp.port);
        const a = tp === undefined ? undefined : address(w, tp);
        if (!a) continue;
        ip = a.ip;
        proxyInboundPort ??= a.proxyInboundPort;
        ports.push(Object.freeze({ name: sp.name, port: a.port, protocol: sp.protocol }));
      }
      if (ip === undefined) continue;
      out.push(Object.freeze({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: Object.freeze({
          name: `${service.metadata.name}-${w.name}`.slice(0, 253),
          namespace: ns,
          labels: Object.freeze({ [SERVICE_NAME_LABEL]: service.metadata.name, [MANAGED_BY_LABEL]: MANAGED_BY }),
          annotations: Object.freeze({}),
          resourceVersion: '0',
        }),
        addressType: 'IPv4',
        endpoints: Object.freeze([Object.freeze({
          addresses: Object.freeze([ip]),
          ready: true,
          zone: undefined,
          hostname: w.name,
          targetRef: Object.freeze({ kind: 'Pod', name: w.name, namespace: w.namespace, serviceAccountName: w.serviceAccount, proxyInboundPort }),
        })]),
        ports: Object.freeze(ports),
      }));
    }
  }
  return out;
}

/** A pod's /etc/hosts: localhost, itself, and every Service's names at its cluster IP. */
export function hostsFile(pod: PodPlan, services: readonly ServicePlan[], clusterDomain = 'cluster.local'): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${pod.ip}\t${pod.workload.name}`];
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
export function renderServiceRules(services: readonly ServicePlan[]): string {
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
  return ['*nat', `:${SERVICES_CHAIN} - [0:0]`, ...rules, `-A OUTPUT -j ${SERVICES_CHAIN}`, 'COMMIT', ''].join('\n');
}
