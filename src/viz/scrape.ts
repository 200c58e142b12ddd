// Scrapes the proxies of a local run (admin addresses from run.json) for `weft viz stat`.
import http from 'node:http';
import type { RunState } from '../runtime/local/run-state.js';
import type { Sample } from './prom-text.js';
import { parsePromText } from './prom-text.js';
import type { StatRow, WorkloadScrape } from './stat.js';
import { computeStats } from './stat.js';

/** GET http://<addr>/metrics, parsed; undefined when the proxy does not answer. */
export function scrape(addr: string, timeoutMs = 2000): Promise<Sample[] | undefined> {
  return new Promise((resolve) => {
    const req = http.get(`http://${addr}/metrics`, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? parsePromText(body) : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.once('error', () => resolve(undefined));
    req.once('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
  });
}

export type Snapshot = ReadonlyMap<string, Sample[] | undefined>;

export async function snapshot(state: RunState): Promise<Snapshot> {
  const entries = await Promise.all(state.workloads.map(async (w) => [w.name, w.adminAddr ? await scrape(w.adminAddr) : undefined] as const));
  return new Map(entries);
}

export function statsBetween(state: RunState, before: Snapshot, after: Snapshot, windowSeconds: number, by: 'deploy' | 'ns'): StatRow[] {
  const scrapes: WorkloadScrape[] = state.workloads.map((w) => ({
    // A Deployment's replicas make one row.
    name: w.deployment ?? w.name,
    namespace: w.namespace,
    meshed: w.proxy !== undefined,
    before: before.get(w.name),
    after: after.get(w.name),
  }));
  return computeStats(scrapes, windowSeconds, by);
}

/** Two scrapes `windowMs` apart. */
export async function statOnce(state: RunState, windowMs: number, by: 'deploy' | 'ns'): Promise<StatRow[]> {
  const t0 = Date.now();
  const before = await snapshot(state);
  await new Promise((r) => setTimeout(r, windowMs));
  const after = await snapshot(state);
  return statsBetween(state, before, after, (Date.now() - t0) / 1000, by);
}
