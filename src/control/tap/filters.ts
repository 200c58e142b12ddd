// `viz tap` filters -> ObserveRequest.Match (tap.proto). `--to` names a resource; it becomes the
// addresses that reach it (pod IPs, or loopback proxy ports; a Service's cluster IP and ports)
// and the authorities clients use for its Services (name, name.ns, name.ns.svc...), since an
// explicit-proxy (loopback) request is addressed by name.
import type { ObserveRequest } from '../../api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import { ConfigError } from '../../lib/errors.js';
import type { AddressPattern, InventorySnapshot } from '../metrics/inventory.js';
import { resolve, type ResourceRef } from '../metrics/resources.js';
import { isIPv4 } from 'node:net';

type Match = NonNullable<ObserveRequest['match']>;

export interface TapFilters {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly authority?: string | undefined;
  readonly to?: ResourceRef | undefined;
  readonly toNamespace?: string | undefined;
}

const REGISTERED = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'HEAD', 'TRACE']);

function ipv4(host: string): number {
  return host.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function addressMatch(a: AddressPattern): Match | undefined {
  if (!isIPv4(a.host)) return undefined;
  const net: Match = { destination: { netmask: { ip: { ipv4: ipv4(a.host) }, mask: 32 } } };
  return a.port === undefined ? net : { all: { matches: [net, { destination: { ports: { min: a.port, max: a.port } } }] } };
}

function toMatch(inv: InventorySnapshot, to: ResourceRef, ns: string | undefined): Match {
  const rows = resolve(inv, to, ns);
  const pods = new Set(rows.flatMap((r) => r.pods.map((p) => `${p.namespace}/${p.name}`)));
  const services = inv.services.filter((s) =>
    to.type === 'svc' ? rows.some((r) => r.namespace === s.namespace && r.name === s.name) : s.pods.some((p) => pods.has(`${s.namespace}/${p}`)));
  const any: Match[] = [];
  for (const r of rows) for (const p of r.pods) for (const a of p.addresses) {
    const m = addressMatch(a);
    if (m) any.push(m);
  }
  for (const s of services) {
    for (const port of s.ports) if (s.clusterIP) any.push(addressMatch({ host: s.clusterIP, port }) as Match);
    any.push({ http: { authority: { exact: s.name } } });
    any.push({ http: { authority: { prefix: `${s.name}:` } } });
    any.push({ http: { authority: { prefix: `${s.name}.${s.namespace}` } } });
  }
  if (!any.length) throw new ConfigError(`--to ${to.type}/${to.name ?? ''}: no address or service reaches it`);
  return { any: { matches: any } };
}

/** The match for the filters; undefined: every request. */
export function observeMatch(f: TapFilters, inv: InventorySnapshot, namespace: string | undefined): Match | undefined {
  const all: Match[] = [];
  if (f.method) {
    const m = f.method.toUpperCase();
    all.push({ http: { method: REGISTERED.has(m) ? { registered: m as 'GET' } : { unregistered: m } } });
  }
  if (f.path) {
    if (!f.path.startsWith('/')) throw new ConfigError(`--path ${f.path}: a path prefix starts with /`);
    all.push({ http: { path: { prefix: f.path } } });
  }
  if (f.authority) all.push({ http: { authority: { exact: f.authority } } });
  if (f.to) all.push(toMatch(inv, f.to, f.toNamespace ?? namespace));
  if (!all.length) return undefined;
  return all.length === 1 ? all[0] : { all: { matches: all } };
}
