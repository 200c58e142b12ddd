// Topology: who calls whom, as an SVG graph. Layout is by layers — a workload sits one column
// right of the furthest caller that reaches it (callers of nobody on the left) — which is what
// a mesh's call graph mostly is; cycles are broken by the order workloads are first reached.
import type { Topology, TopologyEdge } from '../api-types.js';
import { empty, h, pct, rateClass, rps, s } from './dom.js';

const NODE_W = 150;
const NODE_H = 46;
const COL_GAP = 110;
const ROW_GAP = 36;
// Edges drawn solid are mTLS with numbers; dashed ones have no outbound numbers (unmeshed source).
const key = (ns: string, name: string): string => `${ns}/${name}`;

interface Placed { readonly id: string; readonly namespace: string; readonly name: string; x: number; y: number; label: string }

function layers(ids: readonly string[], edges: readonly TopologyEdge[]): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(key(e.srcNamespace, e.src), [...(out.get(key(e.srcNamespace, e.src)) ?? []), key(e.dstNamespace, e.dst)]);
  const depth = new Map<string, number>(ids.map((id) => [id, 0]));
  // Longest path from a root, bounded by the node count (so a cycle cannot loop forever).
  for (let round = 0; round < ids.length; round++) {
    let changed = false;
    for (const [src, dsts] of out) {
      for (const d of dsts) {
        const want = (depth.get(src) ?? 0) + 1;
        if ((depth.get(d) ?? 0) < want && want < ids.length) {
          depth.set(d, want);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return depth;
}

function edgeLabel(e: TopologyEdge): string {
  return e.rps === null ? (e.secured ? 'mTLS' : 'plaintext') : `${rps(e.rps)} · ${pct(e.successRate)}`;
}

export function renderTopology(t: Topology | undefined): HTMLElement {
  if (!t) return empty('Waiting for the first numbers from the metrics API…');
  const ids = new Map<string, { namespace: string; name: string }>();
  for (const n of t.nodes) ids.set(key(n.namespace, n.name), n);
  for (const e of t.edges) {
    // Unmeshed callers (curl on the host) have no workload: one node for them.
    ids.set(key(e.srcNamespace, e.src), { namespace: e.srcNamespace, name: e.src || '-' });
    ids.set(key(e.dstNamespace, e.dst), { namespace: e.dstNamespace, name: e.dst });
  }
  const depth = layers([...ids.keys()], t.edges);
  const columns = new Map<number, Placed[]>();
  for (const [id, n] of [...ids].sort((a, b) => a[0].localeCompare(b[0]))) {
    const d = depth.get(id) ?? 0;
    const stat = t.nodes.find((x) => key(x.namespace, x.name) === id);
    const p: Placed = { id, ...n, x: 0, y: 0, label: stat ? `${rps(stat.rps)} · ${pct(stat.successRate)}` : 'not meshed' };
    columns.set(d, [...(columns.get(d) ?? []), p]);
  }
  // Wide screens read left to right; a phone top to bottom (the layers become rows).
  const vertical = window.innerWidth < 640;
  const gapAcross = vertical ? 14 : ROW_GAP;
  const gapAlong = vertical ? 56 : COL_GAP;
  const widest = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const across = (n: number): number => n * ((vertical ? NODE_W : NODE_H) + gapAcross) - gapAcross;
  const along = Math.max(1, columns.size) * ((vertical ? NODE_H : NODE_W) + gapAlong) - gapAlong;
  const width = 40 + (vertical ? across(widest) : along);
  const height = 40 + (vertical ? along : across(widest));
  const placed = new Map<string, Placed>();
  for (const [d, col] of columns) {
    const start = 20 + (across(widest) - across(col.length)) / 2;
    col.forEach((p, i) => {
      const a = 20 + d * ((vertical ? NODE_H : NODE_W) + gapAlong);
      const b = start + i * ((vertical ? NODE_W : NODE_H) + gapAcross);
      [p.x, p.y] = vertical ? [b, a] : [a, b];
      placed.set(p.id, p);
    });
  }
  const svg = s('svg', { class: 'topo', viewBox: `0 0 ${width} ${height}`, width, role: 'img', 'aria-labelledby': 'topo-title topo-desc' },
    s('title', { id: 'topo-title' }, 'Who calls whom'),
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z' }))),
  );
  for (const e of t.edges) {
    const a = placed.get(key(e.srcNamespace, e.src));
    const b = placed.get(key(e.dstNamespace, e.dst));
    if (!a || !b) continue;
    const forward = vertical ? b.y > a.y : b.x > a.x;
    let d: string;
    let label: [number, number];
    if (!forward) {
      // A call back to an earlier layer (or within one): an arc outside the boxes.
      const [ax, ay, bx, by] = vertical ? [a.x, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2] : [a.x + NODE_W / 2, a.y, b.x + NODE_W / 2, b.y];
      const bend = vertical ? Math.min(a.x, b.x) - 30 : Math.min(a.y, b.y) - 30;
      d = vertical ? `M ${ax} ${ay} C ${bend} ${ay}, ${bend} ${by}, ${bx} ${by}` : `M ${ax} ${ay} C ${ax} ${bend}, ${bx} ${bend}, ${bx} ${by}`;
      label = vertical ? [bend + 40, (ay + by) / 2] : [(ax + bx) / 2, bend + 4];
    } else if (vertical) {
      const [x1, y1, x2, y2] = [a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y];
      d = `M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`;
      // Just above the arrowhead: siblings' labels then sit over their own boxes, apart.
      label = [x2, y2 - 10];
    } else {
      const [x1, y1, x2, y2] = [a.x + NODE_W, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2];
      d = `M ${x1} ${y1} C ${(x1 + x2) / 2} ${y1}, ${(x1 + x2) / 2} ${y2}, ${x2} ${y2}`;
      label = [(x1 + x2) / 2, (y1 + y2) / 2 - 6];
    }
    const cls = e.rps === null ? 'none' : rateClass(e.successRate);
    svg.append(s('g', { class: `edge ${cls}`, 'data-edge': `${e.src}->${e.dst}`, 'data-rps': e.rps ?? '', 'data-success': e.successRate ?? '' },
      s('title', {}, `${e.src} → ${e.dst}: ${edgeLabel(e)}${e.secured ? ', mTLS' : `, not mTLS (${e.msg})`}`),
      s('path', { d, 'marker-end': 'url(#arrow)' }),
      s('text', { x: label[0], y: label[1], 'text-anchor': 'middle' }, edgeLabel(e))));
  }
  for (const p of placed.values()) {
    const box = s('g', { class: 'node', 'data-node': p.id },
      s('rect', { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 8 }),
      s('text', { x: p.x + 10, y: p.y + 19 }, p.name.length > 18 ? `${p.name.slice(0, 17)}…` : p.name),
      s('text', { x: p.x + 10, y: p.y + 36, class: 'sub' }, p.label));
    const meshed = t.nodes.some((x) => key(x.namespace, x.name) === p.id);
    svg.append(meshed ? s('a', { href: `#/workload/${encodeURIComponent(p.namespace)}/${encodeURIComponent(p.name)}`, 'aria-label': `${p.name} in ${p.namespace}: ${p.label}`, 'data-key': `topo:${p.id}` }, box) : box);
  }
  const desc = t.edges.map((e) => `${e.src} calls ${e.dst} (${edgeLabel(e)})`).join('; ');
  return h('section', { 'aria-labelledby': 'topo-h' },
    h('h1', { id: 'topo-h' }, 'Topology'),
    h('p', { class: 'muted', id: 'topo-desc' }, t.edges.length ? `Last ${t.window}: ${desc}.` : `No traffic between workloads in the last ${t.window} yet.`),
    h('div', { class: 'card' }, t.nodes.length || t.edges.length ? svg : empty('No workloads in the mesh yet.')),
  );
}
