// `weft viz top`: the hottest paths from a tap stream, as `linkerd viz top` — requests grouped
// by (source, destination, method, path), with counts, best/worst/last latency and success
// rate. Pure: fed events, asked for rows; the CLI draws them.
import type { TapEventJson } from '../control/tap/event-json.js';

export interface TopRow {
  readonly source: string;
  readonly destination: string;
  readonly method: string;
  readonly path: string;
  count: number;
  bestUs: number;
  worstUs: number;
  lastUs: number;
  successes: number;
  failures: number;
}

interface Pending {
  readonly key: string;
  status: number;
}

export class TopTable {
  private readonly rows = new Map<string, TopRow>();
  private readonly pending = new Map<string, Pending>();

  add(e: TapEventJson): void {
    if (e.type === 'requestInit') {
      const source = e.sourceResource ?? e.source;
      const destination = e.destinationResource ?? e.authority ?? e.destination;
      const path = (e.path ?? '').split('?')[0] ?? '';
      const key = JSON.stringify([source, destination, e.method, path]);
      if (!this.rows.has(key)) this.rows.set(key, { source, destination, method: e.method ?? '', path, count: 0, bestUs: Infinity, worstUs: 0, lastUs: 0, successes: 0, failures: 0 });
      this.pending.set(e.id, { key, status: 0 });
      // A request seen only from its response on (a tap that started mid-request) is not counted.
      if (this.pending.size > 100_000) this.pending.clear();
      return;
    }
    const p = this.pending.get(e.id);
    if (!p) return;
    if (e.type === 'responseInit') {
      p.status = e.status ?? 0;
      return;
    }
    this.pending.delete(e.id);
    const row = this.rows.get(p.key);
    if (!row) return;
    const us = e.latencyUs ?? 0;
    row.count++;
    row.lastUs = us;
    row.bestUs = Math.min(row.bestUs, us);
    row.worstUs = Math.max(row.worstUs, us);
    const failed = p.status === 0 || p.status >= 500 || (e.grpcStatus !== undefined && e.grpcStatus !== 0) || e.resetCode !== undefined;
    if (failed) row.failures++;
    else row.successes++;
  }

  /** Rows with at least one finished request, busiest first. */
  top(n = 100): TopRow[] {
    return [...this.rows.values()].filter((r) => r.count > 0).sort((a, b) => b.count - a.count || a.path.localeCompare(b.path)).slice(0, n);
  }
}

function ms(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(us >= 100_000 ? 0 : 1)}ms` : `${us}µs`;
}

/** The table as text lines (header first), each cut to `width` columns. */
export function topLines(rows: readonly TopRow[], width: number): string[] {
  const head = ['Source', 'Destination', 'Method', 'Path', 'Count', 'Best', 'Worst', 'Last', 'Success Rate'];
  const cells = rows.map((r) => [r.source, r.destination, r.method, r.path, String(r.count), ms(r.bestUs), ms(r.worstUs), ms(r.lastUs),
    `${((100 * r.successes) / Math.max(1, r.successes + r.failures)).toFixed(2)}%`]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((x, i) => (i === 3 ? x.padEnd(widths[i] ?? 0) : i >= 4 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ').slice(0, width);
  return [line(head), ...cells.map(line)];
}
