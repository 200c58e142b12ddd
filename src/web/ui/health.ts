// Control-plane health: each component as the web server last probed it, and the CA's
// certificates with the days they have left.
import type { Health } from '../api-types.js';
import { DASH, empty, h, table } from './dom.js';

const STATE_CLASS = { ok: 'ok', down: 'bad', unknown: 'muted' } as const;
const STATE_TEXT = { ok: 'healthy', down: 'unhealthy', unknown: 'not checked' } as const;

/** Days, or hours for short-lived certificates (the issuer and the leaves live about a day). */
function timeLeft(notAfter: string): string {
  const ms = new Date(notAfter).getTime() - Date.now();
  if (ms <= 0) return 'expired';
  return ms >= 2 * 86_400_000 ? `${Math.floor(ms / 86_400_000)} days` : `${Math.floor(ms / 3_600_000)} h ${Math.floor((ms % 3_600_000) / 60_000)} min`;
}

/** Rotation is due in the last fifth of a certificate's life: warn there, fail when expired. */
function lifeClass(left: number): string {
  return left <= 0 ? 'bad' : left < 0.2 ? 'warn' : 'ok';
}

export function renderHealth(hl: Health | undefined): HTMLElement {
  if (!hl) return empty('Checking the control plane…');
  const down = hl.components.filter((c) => c.state === 'down');
  return h('section', { 'aria-labelledby': 'hl-h' },
    h('h1', { id: 'hl-h' }, 'Control plane'),
    h('p', { class: down.length ? 'bad' : 'ok', 'data-summary': down.length ? 'unhealthy' : 'healthy' },
      down.length ? `${down.map((c) => c.name).join(', ')} ${down.length === 1 ? 'is' : 'are'} not answering.` : 'Every component answers.',
      h('span', { class: 'muted' }, ` Checked ${new Date(hl.at).toLocaleTimeString()}.`)),
    table(['Component', 'State', ['Address', 'hide-narrow'], 'Detail', ['Probe', 'num']], hl.components.map((c) => h('tr', { 'data-component': c.name, 'data-state': c.state },
      h('td', {}, c.name), h('td', {}, h('span', { class: `badge ${STATE_CLASS[c.state]}` }, STATE_TEXT[c.state])),
      h('td', { class: 'mono hide-narrow' }, c.address || DASH), h('td', { class: 'wrap' }, c.detail), h('td', { class: 'num' }, c.ms === null ? DASH : `${c.ms} ms`)))),
    h('h2', {}, 'Certificates'),
    hl.certificates.length ? table(['Certificate', ['Subject', 'hide-narrow'], 'Expires', ['Left', 'num']], hl.certificates.map((c) => h('tr', { 'data-cert': c.name },
      h('td', {}, c.name), h('td', { class: 'mono hide-narrow wrap' }, c.subject), h('td', {}, new Date(c.notAfter).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'),
      h('td', { class: `num ${lifeClass(c.lifeLeft)}` }, timeLeft(c.notAfter))))) : empty('No certificate could be read (identity down and no CA directory given).'),
  );
}
