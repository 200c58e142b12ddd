// What the metrics API knows besides Prometheus: the pods (which Deployment, which identity,
// meshed or not, which addresses reach them) and the Services (cluster IP, the pods behind
// them, their ServiceProfile's routes). Rows with no traffic still show up, `MESHED` counts
// pods, and an outbound series' `target_addr` (the original destination: a cluster IP, or a
// pod / its loopback proxy) is mapped back to what it names. The local runtime answers from
// run.json and the store; a Kubernetes one would answer from the API server.

/** An address that reaches something: one host:port, or every port of a host (a pod IP). */
export interface AddressPattern {
  readonly host: string;
  /** undefined: any port. */
  readonly port?: number | undefined;
}

export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly serviceAccount: string;
  /** Has a proxy. */
  readonly meshed: boolean;
  /** target_addr values (seen from a client's proxy) that reach this pod. */
  readonly addresses: readonly AddressPattern[];
  /** host:port of its proxy's tap server, reachable from the control plane (meshed pods). */
  readonly tapAddr?: string | undefined;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  /** name.ns.svc.<cluster domain>: the `dst` label of route metrics. */
  readonly fqdn: string;
  /** '' when it has none (loopback mode). */
  readonly clusterIP: string;
  readonly ports: readonly number[];
  /** The pods' ports it targets (an inbound series' target_addr port). */
  readonly targetPorts: readonly number[];
  /** Pod names behind it. */
  readonly pods: readonly string[];
  /** Its ServiceProfile's route names, in order ([] without one). */
  readonly routes: readonly string[];
  readonly hasProfile: boolean;
}

export interface InventorySnapshot {
  readonly pods: readonly PodInfo[];
  readonly services: readonly ServiceInfo[];
  readonly trustDomain: string;
}

export interface Inventory {
  snapshot(): Promise<InventorySnapshot>;
}

export function matches(addr: string, p: AddressPattern): boolean {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '');
  return host === p.host && (p.port === undefined || Number(addr.slice(i + 1)) === p.port);
}

/** The addresses that reach a Service: cluster IP:port, and each pod's target port. */
export function serviceAddresses(s: ServiceInfo, pods: readonly PodInfo[]): AddressPattern[] {
  const out: AddressPattern[] = s.clusterIP ? s.ports.map((port) => ({ host: s.clusterIP, port })) : [];
  for (const p of pods.filter((x) => s.pods.includes(x.name) && x.namespace === s.namespace)) {
    for (const a of p.addresses) {
      // A pod IP (any port) is reached on the target ports; a loopback proxy address as it is.
      if (a.port === undefined) out.push(...s.targetPorts.map((port) => ({ host: a.host, port })));
      else out.push(a);
    }
  }
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A PromQL regex (for target_addr=~"...") matching any of the patterns; never matches when empty. */
export function addressRegex(patterns: readonly AddressPattern[]): string {
  if (patterns.length === 0) return '^$x';
  return [...new Set(patterns.map((p) => `${escape(p.host)}:${p.port === undefined ? '[0-9]+' : p.port}`))].join('|');
}

/** The identity of a pod's service account, as proxies label client_id / server_id. */
export function identityOf(p: Pick<PodInfo, 'namespace' | 'serviceAccount'>, trustDomain: string): string {
  return `spiffe://${trustDomain}/ns/${p.namespace}/sa/${p.serviceAccount}`;
}
