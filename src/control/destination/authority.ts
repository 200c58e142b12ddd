// What a proxy asks the destination service about: GetDestination.path is an authority —
// `<svc>.<ns>.svc.<cluster-domain>:<port>`, the short `<svc>.<ns>:<port>` or `<svc>:<port>`
// (namespace from the context token or the default), or `<ip>:<port>` (a pod or cluster IP).
import { isIP } from 'node:net';

export type Target =
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly port: number }
  | { readonly kind: 'ip'; readonly ip: string; readonly port: number };

export interface AuthorityOptions {
  readonly clusterDomain: string;
  readonly defaultNamespace: string;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Linkerd proxies send `{"ns":"<namespace>"}` as the context token; use it for short names. */
export function namespaceFromContextToken(token: string): string | undefined {
  if (!token) return undefined;
  try {
    const v = JSON.parse(token) as { ns?: unknown };
    return typeof v.ns === 'string' && LABEL.test(v.ns) ? v.ns : undefined;
  } catch {
    return undefined;
  }
}

/** Parses an authority; undefined when it cannot name a service or address. Port defaults to 80. */
export function parseTarget(path: string, opts: AuthorityOptions, contextNs?: string): Target | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(path.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? 80 : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = (m[1] ?? m[2] ?? '').toLowerCase().replace(/\.$/, '');
  if (isIP(host)) return { kind: 'ip', ip: host, port };
  let labels = host.split('.');
  const suffix = ['svc', ...opts.clusterDomain.split('.')];
  const tail = labels.slice(2);
  // Accept <svc>.<ns>.svc and <svc>.<ns>.svc.<cluster-domain>, nothing else that is longer.
  if (tail.length > 0) {
    if (tail.length > suffix.length || tail.some((l, i) => l !== suffix[i])) return undefined;
    labels = labels.slice(0, 2);
  }
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  const [name, namespace = contextNs ?? opts.defaultNamespace] = labels as [string, string?];
  return { kind: 'service', name, namespace, port };
}

export function serviceFqdn(t: { name: string; namespace: string }, clusterDomain: string): string {
  return `${t.name}.${t.namespace}.svc.${clusterDomain}`;
}
