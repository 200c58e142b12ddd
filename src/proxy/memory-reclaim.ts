// Gives memory back after an attack. A flood the proxy refused (rapid reset, CONTINUATION,
// SETTINGS/PING floods) leaves tens of MB of garbage in the V8 heap. Node 20's V8 collected it
// once the process idled (its memory reducer, ~20 s); Node 24's (V8 13) stays in "high
// allocation rate, wait" on an idle process and kept the heap for good: 73 MB before a rapid-
// reset flood, 120 MB after, still 120 MB a minute later (2026-12-03, test/proxy/http/
// h2-rapid-reset.test.ts). So the proxy asks for one memory-reducing collection itself, shortly
// after it closed a flooding session: 120 → 85 MB in that measurement. The `gc` function is
// there because PROXY_NODE_FLAGS (node-flags.ts) include --expose-gc; without it this does
// nothing.
import { performance } from 'node:perf_hooks';

/** After the last flood closed: let the closing finish and the rest of the burst arrive. */
export const RECLAIM_DELAY_MS = 2000;
/** A flood that keeps coming is still collected after at most this long. */
export const RECLAIM_MAX_WAIT_MS = 10_000;

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

let timer: NodeJS.Timeout | undefined;
let firstAsked = 0;

/**
 * Schedules one memory-reducing full collection RECLAIM_DELAY_MS after the last call
 * (debounced: floods closing one after another push it back, so it runs once their garbage is
 * all there), but no later than RECLAIM_MAX_WAIT_MS after the first.
 */
export function reclaimMemorySoon(): void {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  if (!gc) return;
  const now = performance.now();
  if (timer) clearTimeout(timer);
  else firstAsked = now;
  const wait = Math.min(RECLAIM_DELAY_MS, Math.max(0, firstAsked + RECLAIM_MAX_WAIT_MS - now));
  timer = setTimeout(() => {
    timer = undefined;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  }, wait);
  timer.unref();
}
