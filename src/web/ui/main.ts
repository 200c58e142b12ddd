// The dashboard's entry: one SSE connection to the web server keeps the state (overview,
// topology, health, any problem) current; the hash route picks the page; a page is re-rendered
// when its data changes, keeping keyboard focus where it was.
import type { ApiError, Health, Overview, Topology, WorkloadDetail } from '../api-types.js';
import { h } from './dom.js';
import { renderHealth } from './health.js';
import { renderOverview } from './overview.js';
import type { TapPage } from './tap.js';
import { renderTap } from './tap.js';
import { renderTopology } from './topology.js';
import { renderWorkload } from './workload.js';

interface State {
  info?: { window: string; refreshMs: number; tap: boolean };
  overview?: Overview;
  topology?: Topology;
  health?: Health;
  problem?: ApiError['error'] | undefined;
  workload?: { key: string; detail?: WorkloadDetail; error?: string };
  connected: boolean;
}

const state: State = { connected: false };
const main = document.getElementById('main') as HTMLElement;
const banner = document.getElementById('banner') as HTMLElement;
const live = document.getElementById('live') as HTMLElement;
let tapPage: TapPage | undefined;
let renderedRoute = '';

function route(): { page: string; parts: string[]; query: URLSearchParams } {
  const [path = '', q = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] ?? 'overview', parts: parts.slice(1), query: new URLSearchParams(q) };
}

function problemText(p: ApiError['error']): string {
  if (p.code === 'WEFT_ERR_PROMETHEUS_UNAVAILABLE') return `Prometheus is down: the numbers below are from before it stopped answering. ${p.message}`;
  if (p.code === 'WEFT_ERR_METRICS_API_UNAVAILABLE') return `The metrics API is down: ${p.message}`;
  return `${p.message} (${p.code})`;
}

async function loadWorkload(ns: string, name: string): Promise<void> {
  const key = `${ns}/${name}`;
  try {
    const res = await fetch(`/api/workload?namespace=${encodeURIComponent(ns)}&name=${encodeURIComponent(name)}`);
    const body = (await res.json()) as WorkloadDetail | ApiError;
    if (state.workload?.key !== key && state.workload !== undefined) return;
    state.workload = 'error' in body ? { key, error: problemText(body.error) } : { key, detail: body };
  } catch (err) {
    state.workload = { key, error: `The dashboard server does not answer (${(err as Error).message}).` };
  }
  render();
}

function render(): void {
  const r = route();
  const routeKey = location.hash;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.dataset['nav'] === r.page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  banner.hidden = !state.problem;
  banner.textContent = state.problem ? problemText(state.problem) : '';
  live.className = state.connected ? 'ok' : 'bad';
  live.textContent = state.connected ? `live · every ${((state.info?.refreshMs ?? 5000) / 1000).toFixed(0)} s` : 'disconnected: retrying…';

  // The tap page owns its stream and form: build it once per route, never re-render it.
  if (r.page === 'tap') {
    if (renderedRoute === routeKey && tapPage) return;
    tapPage?.stop();
    tapPage = renderTap(state.info?.tap, r.query);
    main.replaceChildren(tapPage.element);
    renderedRoute = state.info ? routeKey : '';
    return;
  }
  tapPage?.stop();
  tapPage = undefined;

  const focused = (document.activeElement as HTMLElement | null)?.dataset?.['key'];
  let page: HTMLElement;
  switch (r.page) {
    case 'topology': page = renderTopology(state.topology); break;
    case 'health': page = renderHealth(state.health); break;
    case 'workload': {
      const [ns = '', name = ''] = r.parts;
      if (state.workload?.key !== `${ns}/${name}`) {
        state.workload = { key: `${ns}/${name}` };
        void loadWorkload(ns, name);
      }
      page = renderWorkload(state.workload.detail, state.workload.error);
      break;
    }
    case 'overview': page = renderOverview(state.overview); break;
    default: page = h('p', { class: 'empty' }, `No page "${r.page}". `, h('a', { href: '#/' }, 'Overview'));
  }
  main.replaceChildren(page);
  if (focused) main.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  if (renderedRoute !== routeKey && renderedRoute !== '') main.focus();
  renderedRoute = routeKey;
}

function connect(): void {
  const es = new EventSource('/api/events');
  const on = <T>(type: string, apply: (v: T) => void): void =>
    es.addEventListener(type, (m) => {
      apply(JSON.parse((m as MessageEvent<string>).data) as T);
      render();
    });
  es.onopen = () => ((state.connected = true), render());
  es.onerror = () => ((state.connected = false), render());
  on<NonNullable<State['info']>>('info', (v) => (state.info = v));
  on<Overview>('overview', (v) => ((state.overview = v), (state.problem = undefined)));
  on<Topology>('topology', (v) => (state.topology = v));
  on<Health>('health', (v) => (state.health = v));
  on<ApiError['error']>('problem', (v) => (state.problem = v));
  // The workload page follows the same ticks: fetch its detail again at each overview.
  es.addEventListener('overview', () => {
    const r = route();
    if (r.page === 'workload') void loadWorkload(r.parts[0] ?? '', r.parts[1] ?? '');
  });
}

window.addEventListener('hashchange', render);
// The topology turns from left-to-right to top-to-bottom on a narrow screen.
let narrow = window.innerWidth < 640;
window.addEventListener('resize', () => {
  if ((window.innerWidth < 640) !== narrow) {
    narrow = !narrow;
    render();
  }
});
connect();
render();
