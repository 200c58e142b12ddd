// One workload: its numbers, who calls it and whom it calls (with the identities each side
// verified), and its routes. Fetched on entry and again at every live update.
import type { TopologyEdge, WorkloadDetail } from '../api-types.js';
import { DASH, empty, h, ms, numCell, pct, rateClass, rps, table } from './dom.js';
import { workloadLink } from './overview.js';

function edgeRows(edges: readonly TopologyEdge[], other: 'src' | 'dst'): HTMLElement[] {
  return edges.map((e) => {
    const name = other === 'src' ? e.src : e.dst;
    const ns = other === 'src' ? e.srcNamespace : e.dstNamespace;
    return h('tr', { 'data-edge': `${e.src}->${e.dst}` },
      h('td', {}, name && name !== '-' ? workloadLink(ns, name) : h('span', { class: 'muted' }, 'unmeshed client')),
      numCell(pct(e.successRate), e.successRate, 'success', rateClass(e.successRate)),
      numCell(rps(e.rps), e.rps, 'rps'),
      h('td', {}, e.secured ? h('span', { class: 'badge ok' }, 'mTLS') : h('span', { class: 'badge bad', title: e.msg }, `no mTLS${e.msg ? `: ${e.msg}` : ''}`)),
      h('td', { class: 'mono' }, e.clientId || DASH),
      h('td', { class: 'mono' }, e.serverId || DASH));
  });
}

const EDGE_HEAD: (string | [string, string])[] = ['Workload', ['Success', 'num'], ['RPS', 'num'], 'Secured', 'Client identity', 'Server identity'];

export function renderWorkload(d: WorkloadDetail | undefined, error: string | undefined): HTMLElement {
  if (error) return h('section', {}, h('h1', {}, 'Workload'), empty(error));
  if (!d) return empty('Loading the workload…');
  const w = d.summary;
  return h('section', { 'aria-labelledby': 'wl-h' },
    h('h1', { id: 'wl-h' }, `${d.name} `, h('span', { class: 'muted' }, `in ${d.namespace}`)),
    w ? h('div', { class: 'grid' },
      ...([['Meshed', `${w.meshedPods}/${w.pods}`, ''], ['Success', pct(w.successRate), rateClass(w.successRate)], ['Requests', rps(w.rps), ''], ['P50', ms(w.p50), ''], ['P99', ms(w.p99), ''], ['TCP connections', String(w.tcpConnections), '']] as const)
        .map(([label, value, cls]) => h('div', { class: 'stat' }, h('b', { class: cls }, value), h('span', {}, label)))) : empty('No such workload in the window.'),
    h('h2', {}, 'Inbound: who calls it'),
    d.inbound.length ? table(EDGE_HEAD, edgeRows(d.inbound, 'src')) : empty(`No inbound traffic in the last ${d.window}.`),
    h('h2', {}, 'Outbound: whom it calls'),
    d.outbound.length ? table(EDGE_HEAD, edgeRows(d.outbound, 'dst')) : empty(`No outbound traffic in the last ${d.window}.`),
    h('h2', {}, 'Routes (what its clients sent, per ServiceProfile route)'),
    d.routes.length ? table(['Route', 'Service', ['Success', 'num'], ['RPS', 'num'], ['P50', 'num hide-narrow'], ['P99', 'num']], d.routes.map((r) => h('tr', { 'data-route': r.route },
      h('td', { class: 'mono' }, r.route), h('td', {}, r.service), numCell(pct(r.successRate), r.successRate, 'success', rateClass(r.successRate)),
      numCell(rps(r.rps), r.rps, 'rps'), numCell(ms(r.p50), r.p50, 'p50', 'hide-narrow'), numCell(ms(r.p99), r.p99, 'p99')))) : null,
    d.routesNote ? h('p', { class: 'muted' }, d.routesNote) : null,
    h('p', {}, h('a', { href: `#/tap?namespace=${encodeURIComponent(d.namespace)}&resource=deploy/${encodeURIComponent(d.name)}` }, `Watch ${d.name}'s live requests (tap)`)),
  );
}
