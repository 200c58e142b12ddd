// Overview: namespaces, then every workload with its golden metrics and a sparkline of its
// request rate since the page (or the server's poller) started watching.
import type { Overview, WorkloadSummary } from '../api-types.js';
import { empty, h, ms, numCell, pct, rateClass, rps, sparkline, table } from './dom.js';

export function workloadLink(namespace: string, name: string): HTMLElement {
  return h('a', { href: `#/workload/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, 'data-key': `wl:${namespace}/${name}` }, name);
}

function workloadRow(w: WorkloadSummary): HTMLElement {
  return h('tr', { 'data-workload': `${w.namespace}/${w.name}` },
    h('td', {}, workloadLink(w.namespace, w.name)),
    h('td', { class: 'hide-narrow' }, w.namespace),
    h('td', { class: 'num', 'data-col': 'meshed' }, `${w.meshedPods}/${w.pods}`),
    numCell(pct(w.successRate), w.successRate, 'success', rateClass(w.successRate)),
    numCell(rps(w.rps), w.rps, 'rps'),
    numCell(ms(w.p50), w.p50, 'p50', 'hide-narrow'),
    numCell(ms(w.p99), w.p99, 'p99'),
    h('td', { class: 'hide-narrow' }, sparkline(w.rpsHistory)),
  );
}

export function renderOverview(o: Overview | undefined): HTMLElement {
  if (!o) return empty('Waiting for the first numbers from the metrics API…');
  const quiet = o.workloads.length > 0 && o.workloads.every((w) => w.rps === 0);
  return h('section', { 'aria-labelledby': 'ov-title' },
    h('h1', { id: 'ov-title' }, 'Overview'),
    h('p', { class: 'muted' }, `Last ${o.window}, updated ${new Date(o.at).toLocaleTimeString()}. Success rate, requests per second and latency of what each workload served.`),
    h('h2', {}, 'Namespaces'),
    o.namespaces.length === 0 ? empty('No namespaces with workloads yet.') : table(['Namespace', ['Meshed', 'num'], ['Success', 'num'], ['RPS', 'num'], ['P50', 'num hide-narrow'], ['P99', 'num']],
      o.namespaces.map((n) => h('tr', { 'data-namespace': n.name },
        h('td', {}, n.name), h('td', { class: 'num' }, `${n.meshedPods}/${n.pods}`),
        numCell(pct(n.successRate), n.successRate, 'success', rateClass(n.successRate)), numCell(rps(n.rps), n.rps, 'rps'),
        numCell(ms(n.p50), n.p50, 'p50', 'hide-narrow'), numCell(ms(n.p99), n.p99, 'p99')))),
    h('h2', {}, 'Workloads'),
    o.workloads.length === 0
      ? empty('No workloads in the mesh yet: `weft up -f mesh.yaml` or `weft demo` starts some.')
      : table(['Workload', ['Namespace', 'hide-narrow'], ['Meshed', 'num'], ['Success', 'num'], ['RPS', 'num'], ['P50', 'num hide-narrow'], ['P99', 'num'], ['History', 'hide-narrow']], o.workloads.map(workloadRow)),
    quiet ? empty('No traffic yet: the workloads run, but none has served a request in the window.') : null,
  );
}
