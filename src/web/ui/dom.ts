// Small DOM helpers for the dashboard: an element builder, number formats shared by every page,
// and the sparkline. No framework: the pages are tables and one SVG.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | ((e: Event) => void)>;

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'g', 'path', 'rect', 'text', 'polyline', 'line', 'marker', 'defs', 'title', 'a', 'circle']);

function build(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c));
}

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  build(el, attrs, children);
  return el;
}

/** SVG elements (createElementNS); `svgA` for links inside SVG. */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  if (!SVG_TAGS.has(tag)) throw new Error(`not an SVG tag here: ${tag}`);
  const el = document.createElementNS(SVG_NS, tag);
  build(el, attrs, children);
  return el;
}

export const DASH = '—';

export function pct(v: number | null): string {
  return v === null ? DASH : `${(v * 100).toFixed(2)}%`;
}

/** Success rate colour: the thresholds Linkerd's dashboard uses (≥ 95% good, ≥ 90% warning). */
export function rateClass(v: number | null): string {
  return v === null ? 'muted' : v >= 0.95 ? 'ok' : v >= 0.9 ? 'warn' : 'bad';
}

export function rps(v: number | null): string {
  return v === null ? DASH : `${v.toFixed(1)} rps`;
}

export function ms(v: number | null): string {
  return v === null ? DASH : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

/** A numeric table cell that also carries its raw value (for readers and tests). */
export function numCell(text: string, value: number | null, col: string, cls = ''): HTMLElement {
  return h('td', { class: `num ${cls}`.trim(), 'data-col': col, 'data-value': value === null ? '' : String(value) }, text);
}

export function table(head: readonly (string | [string, string])[], rows: HTMLElement[], caption?: string): HTMLElement {
  return h('div', { class: 'card' },
    h('table', {},
      caption ? h('caption', { class: 'muted caption' }, caption) : null,
      h('thead', {}, h('tr', {}, ...head.map((c) => (typeof c === 'string' ? h('th', { scope: 'col' }, c) : h('th', { scope: 'col', class: c[1] }, c[0]))))),
      h('tbody', {}, ...rows)));
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'empty', 'data-empty': '' }, text);
}

export function sparkline(values: readonly number[], width = 90, height = 22): SVGElement {
  const max = Math.max(...values, 0.001);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return s('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `requests per second over the last ${values.length} updates` },
    values.length > 1 ? s('polyline', { points: pts }) : null);
}
