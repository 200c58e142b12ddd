// Tap: live requests matching a filter, newest first, as the web server streams them from the
// tap source it was given — or, without one, a plain statement that this build has no tap.
import type { TapEventView } from '../api-types.js';
import { DASH, empty, h, ms, table } from './dom.js';

const MAX_ROWS = 200;

export interface TapPage {
  readonly element: HTMLElement;
  stop(): void;
}

function row(e: TapEventView): HTMLElement {
  return h('tr', { 'data-tap': '' },
    h('td', { class: 'hide-narrow' }, new Date(e.at).toLocaleTimeString()), h('td', {}, e.direction), h('td', {}, e.source), h('td', {}, e.destination),
    h('td', { class: 'mono' }, `${e.method} ${e.authority}${e.path}`), h('td', { class: `num ${e.status !== null && e.status >= 500 ? 'bad' : ''}` }, e.status === null ? DASH : String(e.status)),
    h('td', { class: 'num' }, ms(e.latencyMs)), h('td', {}, e.tls ? 'yes' : 'no'));
}

export function renderTap(available: boolean | undefined, query: URLSearchParams): TapPage {
  const section = h('section', { 'aria-labelledby': 'tap-h' }, h('h1', { id: 'tap-h' }, 'Tap'));
  if (available === undefined) return { element: (section.append(empty('Connecting…')), section), stop: () => {} };
  if (!available) {
    section.append(h('p', { class: 'empty', 'data-tap-unavailable': '' }, 'Tap is not available in this build: no tap source is wired into the web component, so live requests cannot be shown.'));
    return { element: section, stop: () => {} };
  }
  const field = (name: string, label: string, placeholder: string): HTMLElement =>
    h('label', {}, label, h('input', { name, value: query.get(name) ?? '', placeholder, 'data-key': `tap:${name}` }));
  const body = h('tbody');
  const status = h('p', { class: 'muted', role: 'status' }, 'Not watching.');
  let source: EventSource | undefined;
  const stop = (): void => {
    source?.close();
    source = undefined;
  };
  const form = h('form', { class: 'filters' }, field('namespace', 'Namespace', 'demo'), field('resource', 'Resource', 'deploy/web'), field('method', 'Method', 'GET'), field('path', 'Path prefix', '/api'),
    h('button', { type: 'submit' }, 'Start'), h('button', { type: 'button', onclick: () => (stop(), (status.textContent = 'Stopped.')) }, 'Stop'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    stop();
    body.replaceChildren();
    const params = new URLSearchParams([...new FormData(form as HTMLFormElement)].filter(([, v]) => v !== '') as [string, string][]);
    source = new EventSource(`/api/tap?${params}`);
    status.textContent = 'Watching…';
    source.addEventListener('tap', (m) => {
      body.prepend(row(JSON.parse((m as MessageEvent<string>).data) as TapEventView));
      while (body.children.length > MAX_ROWS) body.lastElementChild?.remove();
    });
    source.addEventListener('problem', (m) => {
      status.textContent = (JSON.parse((m as MessageEvent<string>).data) as { message: string }).message;
      stop();
    });
    source.onerror = () => {
      status.textContent = 'The tap stream ended (filter refused or tap down); press Start to try again.';
      stop();
    };
  });
  section.append(form, status, table([['Time', 'hide-narrow'], 'Direction', 'From', 'To', 'Request', ['Status', 'num'], ['Latency', 'num'], 'mTLS'], []));
  section.querySelector('tbody')?.replaceWith(body);
  if ([...query.keys()].length) form.dispatchEvent(new Event('submit', { cancelable: true }));
  return { element: section, stop };
}
