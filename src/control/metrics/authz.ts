// `viz authz`: what inbound policy decided for a workload over a window, as `linkerd viz authz`
// — per server, route and authorization the requests allowed (RPS), and per server and route
// the requests no authorization allowed (UNAUTHORIZED). From the proxies' Linkerd-named counters
// inbound_http_authz_allow_total / _deny_total. SUCCESS is the success rate of the responses the
// server's port gave (weft's response metrics carry the port, not the route or authorization:
// every row of one server shows the same figure; a 403 is a success there, as in Linkerd).
import { promDuration } from '../../lib/duration.js';
import { ConfigError } from '../../lib/errors.js';
import type { Inventory } from './inventory.js';
import type { PromSample } from './prometheus-client.js';
import type { Matchers } from './queries.js';
import { AUTHZ_QUERIES, QUERIES } from './queries.js';
import type { ResourceRef, Row } from './resources.js';
import { resolve } from './resources.js';
import type { Query } from './stat.js';
import { sourceMatchers } from './targets.js';

export interface AuthzRequest {
  readonly resource: ResourceRef;
  readonly namespace?: string | undefined;
  readonly windowMs: number;
}

export interface AuthzRow {
  readonly namespace: string;
  /** The Deployment whose pods decided. */
  readonly workload: string;
  /** `server/<name>` (a Server resource) or `default/<policy>` (a port no Server selects). */
  readonly server: string;
  readonly route: string;
  /** `authorizationpolicy/<name>`, `default/<policy>`, …; '' on the row of denied requests. */
  readonly authorization: string;
  /** Requests per second no authorization allowed (on the '' row only). */
  readonly unauthorizedRps: number;
  /** Requests per second this authorization allowed. */
  readonly rps: number;
  /** Success rate of the server port's responses in the window; undefined without responses, or on the denied row. */
  readonly successRate: number | undefined;
}

export interface AuthzResult {
  readonly window: string;
  readonly rows: readonly AuthzRow[];
}

const ref = (kind: string | undefined, name: string | undefined): string => `${(kind ?? '').toLowerCase() || 'default'}/${name ?? ''}`;

export async function authz(query: Query, inventory: Inventory, req: AuthzRequest): Promise<AuthzResult> {
  if (req.resource.type === 'svc') throw new ConfigError('authz: name a workload, pod or namespace (deploy/web, po/web-0, ns/demo): policy is decided by the pods that serve, not by a Service');
  const inv = await inventory.snapshot();
  const window = promDuration(req.windowMs);
  const rows = resolve(inv, req.resource, req.namespace);
  const m: Matchers = rows.length === 1 ? sourceMatchers(rows[0] as Row) : req.namespace && req.resource.type !== 'ns' ? { namespace: req.namespace } : {};
  const [allowed, denied, responses] = await Promise.all([
    query(AUTHZ_QUERIES.allowed(m, window)),
    query(AUTHZ_QUERIES.denied(m, window)),
    query(QUERIES.responses({ ...m, direction: 'inbound' }, window, ['namespace', 'pod', 'target_addr'])),
  ]);
  // Success per pod and app port (the server's port), to attach to each of the server's rows.
  const port = new Map<string, { ok: number; total: number }>();
  const portKey = (s: PromSample): string => `${s.metric['namespace'] ?? ''}/${s.metric['pod'] ?? ''}/${s.metric['target_addr'] ?? ''}`;
  for (const s of responses) {
    const v = port.get(portKey(s)) ?? { ok: 0, total: 0 };
    v.total += s.value;
    if (s.metric['classification'] === 'success') v.ok += s.value;
    port.set(portKey(s), v);
  }
  // Rows are per workload (a Deployment's pods summed); keep which pod ports each row covers.
  const seconds = req.windowMs / 1000;
  const acc = new Map<string, { row: Omit<AuthzRow, 'rps' | 'unauthorizedRps' | 'successRate'>; allowed: number; denied: number; ports: Set<string> }>();
  const at = (s: PromSample, authorization: string): { allowed: number; denied: number; ports: Set<string> } => {
    const row = {
      namespace: s.metric['namespace'] ?? '', workload: s.metric['deployment'] ?? s.metric['pod'] ?? '',
      server: ref(s.metric['srv_kind'], s.metric['srv_name']), route: ref(s.metric['route_kind'], s.metric['route_name']), authorization,
    };
    const k = [row.namespace, row.workload, row.server, row.route, authorization].join('\0');
    const v = acc.get(k) ?? { row, allowed: 0, denied: 0, ports: new Set<string>() };
    acc.set(k, v);
    v.ports.add(portKey(s));
    return v;
  };
  for (const s of allowed) at(s, ref(s.metric['authz_kind'], s.metric['authz_name'])).allowed += s.value;
  for (const s of denied) at(s, '').denied += s.value;
  // Series Prometheus still holds without a request in the window (e.g. a default policy
  // replaced by a Server) are left out.
  const out: AuthzRow[] = [...acc.values()].filter((v) => v.allowed > 0 || v.denied > 0).map((v) => {
    const p = [...v.ports].map((k) => port.get(k) ?? { ok: 0, total: 0 }).reduce((a, b) => ({ ok: a.ok + b.ok, total: a.total + b.total }), { ok: 0, total: 0 });
    return { ...v.row, rps: v.allowed / seconds, unauthorizedRps: v.denied / seconds, successRate: p.total > 0 && v.allowed > 0 ? p.ok / p.total : undefined };
  });
  out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.workload.localeCompare(b.workload) || a.server.localeCompare(b.server)
    || a.route.localeCompare(b.route) || (a.authorization === '' ? 1 : b.authorization === '' ? -1 : a.authorization.localeCompare(b.authorization)));
  return { window, rows: out };
}
