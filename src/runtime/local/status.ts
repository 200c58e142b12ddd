// `weft ps`: each workload of the current run, with its processes' liveness and its proxy's
// readiness (GET /ready on the admin address from run.json).
import type { RunState } from './run-state.js';
import { httpStatus, isAlive } from './supervisor.js';

export interface WorkloadStatus {
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
  readonly appPid: number | undefined;
  readonly proxyPid: number | undefined;
  /** running: app (and proxy) alive; degraded: one of them exited; exited: none alive. */
  readonly status: 'running' | 'degraded' | 'exited';
  readonly ready: boolean;
}

export async function workloadStatus(state: RunState): Promise<WorkloadStatus[]> {
  return Promise.all(state.workloads.map(async (w) => {
    const app = isAlive(w.app?.pid, w.app?.startTime);
    const proxy = w.proxy ? isAlive(w.proxy.pid, w.proxy.startTime) : undefined;
    const alive = [app, ...(proxy === undefined ? [] : [proxy])];
    const status = alive.every(Boolean) ? 'running' : alive.some(Boolean) ? 'degraded' : 'exited';
    const ready = w.adminAddr && proxy ? (await httpStatus(`http://${w.adminAddr}/ready`, 1000)) === 200 : app && !w.proxy;
    return { name: w.name, namespace: w.namespace, ip: w.ip, appPid: w.app?.pid, proxyPid: w.proxy?.pid, status, ready };
  }));
}

/** A plain left-aligned text table (header row first). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd()).join('\n') + '\n';
}

export function formatStatus(rows: readonly WorkloadStatus[]): string {
  return formatTable([
    ['NAME', 'NAMESPACE', 'IP', 'APP PID', 'PROXY PID', 'STATUS', 'READY'],
    ...rows.map((r) => [r.name, r.namespace, r.ip, String(r.appPid ?? '-'), String(r.proxyPid ?? '-'), r.status, r.ready ? 'yes' : 'no']),
  ]);
}
