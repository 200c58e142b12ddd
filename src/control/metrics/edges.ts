// `viz edges`: who talks to whom over HTTP in a window, as `linkerd viz edges` shows it — from
// the source's proxy (outbound responses: the destination by target_addr, the server identity
// it verified, whether the traffic was mTLS) and from the destination's proxy (inbound
// responses: the client identity it verified). An edge is secured when the source sent all of
// it over mTLS; CLIENT_ID is the source's identity as the destination saw it. Clients without
// a proxy (curl on the host, an unmeshed pod) show as source "-", never secured.
import { promDuration } from '../../lib/duration.js';
import type { Inventory } from './inventory.js';
import { identityOf, matches } from './inventory.js';
import type { PromSample } from './prometheus-client.js';
import type { Matchers } from './queries.js';
import { QUERIES } from './queries.js';
import type { ResourceType, Row } from './resources.js';
import { rowsOf } from './resources.js';
import type { Query } from './stat.js';
import { rowAddresses } from './targets.js';

export interface EdgesRequest {
  readonly type: ResourceType;
  readonly namespace?: string | undefined;
  readonly windowMs: number;
}

export interface EdgeRow {
  readonly src: string;
  readonly srcNamespace: string;
  readonly dst: string;
  readonly dstNamespace: string;
  /** The source's identity as the destination verified it ('' when it did not). */
  readonly clientId: string;
  /** The destination's identity as the source verified it ('' when it did not). */
  readonly serverId: string;
  readonly secured: boolean;
  /** Why not secured (the proxies' no_tls_reason), '' when secured. */
  readonly msg: string;
  /** Responses in the window. */
  readonly responses: number;
}

export interface EdgesResult {
  readonly window: string;
  readonly edges: readonly EdgeRow[];
}

function byOf(type: ResourceType): string[] {
  return type === 'deploy' ? ['namespace', 'deployment'] : type === 'pod' ? ['namespace', 'pod'] : ['namespace'];
}

function nameOf(type: ResourceType, m: Readonly<Record<string, string>>): { name: string; namespace: string } {
  const ns = m['namespace'] ?? '';
  if (type === 'deploy') return { name: m['deployment'] ?? '', namespace: ns };
  if (type === 'pod') return { name: m['pod'] ?? '', namespace: ns };
  return { name: ns, namespace: ns };
}

export async function edges(query: Query, inventory: Inventory, req: EdgesRequest): Promise<EdgesResult> {
  const inv = await inventory.snapshot();
  const window = promDuration(req.windowMs);
  const by = byOf(req.type);
  const none: Matchers = {};
  const [out, inb] = await Promise.all([query(QUERIES.outboundByTarget(none, window, by)), query(QUERIES.inboundByClient(none, window, by))]);
  const rows = rowsOf(inv, req.type);
  const addrs = new Map(rows.map((r) => [r, rowAddresses(inv, r)]));
  const dstOf = (addr: string): Row | undefined => rows.find((r) => (addrs.get(r) ?? []).some((p) => matches(addr, p)));
  const srcRow = (s: PromSample): Row | undefined => {
    const n = nameOf(req.type, s.metric);
    return rows.find((r) => r.name === n.name && (req.type === 'ns' || r.namespace === n.namespace));
  };
  const rowNs = (r: Row): string => (r.type === 'ns' ? r.name : r.namespace);
  // The client identities each destination's proxy saw (row key -> client_id -> responses).
  const seen = new Map<string, Map<string, number>>();
  const key = (name: string, ns: string): string => `${ns}/${name}`;
  type Acc = Omit<EdgeRow, 'secured'> & { insecure: number };
  const acc = new Map<string, Acc>();
  const add = (e: Omit<EdgeRow, 'secured' | 'msg' | 'responses'>, v: number, secure: boolean, reason: string): void => {
    const k = `${e.srcNamespace}/${e.src}>${e.dstNamespace}/${e.dst}`;
    const a = acc.get(k) ?? { ...e, msg: '', responses: 0, insecure: 0 };
    acc.set(k, {
      ...a,
      serverId: a.serverId || e.serverId,
      responses: a.responses + v,
      insecure: a.insecure + (secure ? 0 : v),
      msg: secure ? a.msg : reason || 'not_provided_by_remote',
    });
  };
  for (const s of inb) {
    if (s.value <= 0) continue;
    const n = nameOf(req.type, s.metric);
    const m = seen.get(key(n.name, n.namespace)) ?? new Map<string, number>();
    seen.set(key(n.name, n.namespace), m);
    const id = s.metric['client_id'] ?? '';
    m.set(id, (m.get(id) ?? 0) + s.value);
    // No client identity: a client without a proxy (or one that did not use mTLS).
    if (!id) add({ src: '-', srcNamespace: '-', dst: n.name, dstNamespace: n.namespace, clientId: '', serverId: '' }, s.value, false, s.metric['no_tls_reason'] ?? '');
  }
  for (const s of out) {
    if (s.value <= 0) continue;
    const src = srcRow(s);
    if (!src) continue;
    const target = s.metric['target_addr'] ?? '';
    const dst = dstOf(target);
    const dstName = dst ? dst.name : target;
    const dstNs = dst ? rowNs(dst) : '-';
    const srcIds = new Set(src.pods.map((p) => identityOf(p, inv.trustDomain)));
    const sawIds = [...(seen.get(key(dstName, dstNs))?.keys() ?? [])].filter((id) => srcIds.has(id));
    add({ src: src.name, srcNamespace: rowNs(src), dst: dstName, dstNamespace: dstNs, clientId: sawIds.join(','), serverId: s.metric['server_id'] ?? '' },
      s.value, s.metric['tls'] === 'true', s.metric['no_tls_reason'] ?? '');
  }
  const list = [...acc.values()].map(({ insecure, ...e }) => ({ ...e, secured: insecure === 0 }))
    .filter((e) => !req.namespace || e.srcNamespace === req.namespace || e.dstNamespace === req.namespace)
    .sort((a, b) => a.srcNamespace.localeCompare(b.srcNamespace) || a.src.localeCompare(b.src) || a.dst.localeCompare(b.dst));
  return { window, edges: list };
}
