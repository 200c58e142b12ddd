// `weft ps`: each pod of the current run, with its processes' liveness, its proxy's readiness
// (GET /ready on the admin address from run.json), how often the supervisor restarted it and
// how it last exited; and the run's own components (supervisor, control plane, Prometheus).
import type { ProcessRecord, RunState } from './run-state.js';
import type { ExitRecord } from './supervised-process.js';
import { httpStatus, isAlive } from './supervisor.js';

export interface WorkloadStatus {
  readonly name: string;
  readonly namespace: string;
  /** The Deployment the pod belongs to. */
  readonly deployment: string;
  readonly ip: string;
  readonly appPid: number | undefined;
  readonly proxyPid: number | undefined;
  /** running: app (and proxy) alive; degraded: one of them exited; exited: none alive. */
  readonly status: 'running' | 'degraded' | 'exited';
  readonly ready: boolean;
  /** Restarts of the app and of the proxy together (as `kubectl get pods` counts containers). */
  readonly restarts: number;
  readonly appRestarts: number;
  readonly proxyRestarts: number;
  /** The most recent exit of either process. */
  readonly lastExit: (ExitRecord & { readonly process: 'app' | 'proxy' }) | undefined;
}

export interface ComponentStatus {
  readonly name: 'supervisor' | 'control' | 'prometheus';
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly restarts: number;
  readonly lastExit: ExitRecord | undefined;
  /** Where it answers (control: the metrics API; prometheus: its URL). */
  readonly address: string;
}

function lastOf(app: ProcessRecord | undefined, proxy: ProcessRecord | undefined): WorkloadStatus['lastExit'] {
  const a = app?.lastExit ? { ...app.lastExit, process: 'app' as const } : undefined;
  const p = proxy?.lastExit ? { ...proxy.lastExit, process: 'proxy' as const } : undefined;
  if (!a || !p) return a ?? p;
  return a.at >= p.at ? a : p;
}

export async function workloadStatus(state: RunState): Promise<WorkloadStatus[]> {
  return Promise.all(state.workloads.map(async (w) => {
    const app = isAlive(w.app?.pid, w.app?.startTime);
    const proxy = w.proxy ? isAlive(w.proxy.pid, w.proxy.startTime) : undefined;
    const alive = [app, ...(proxy === undefined ? [] : [proxy])];
    const status = alive.every(Boolean) ? 'running' : alive.some(Boolean) ? 'degraded' : 'exited';
    const ready = w.adminAddr && proxy ? (await httpStatus(`http://${w.adminAddr}/ready`, 1000)) === 200 : app && !w.proxy;
    const appRestarts = w.app?.restarts ?? 0;
    const proxyRestarts = w.proxy?.restarts ?? 0;
    return {
      name: w.name, namespace: w.namespace, deployment: w.deployment ?? w.name, ip: w.ip, appPid: w.app?.pid, proxyPid: w.proxy?.pid, status, ready,
      restarts: appRestarts + proxyRestarts, appRestarts, proxyRestarts, lastExit: lastOf(w.app, w.proxy),
    };
  }));
}

export function componentStatus(state: RunState): ComponentStatus[] {
  const row = (name: ComponentStatus['name'], p: ProcessRecord | undefined, address: string): ComponentStatus => ({
    name, pid: p?.pid, running: isAlive(p?.pid, p?.startTime), restarts: p?.restarts ?? 0, lastExit: p?.lastExit, address,
  });
  return [
    ...(state.supervisor ? [row('supervisor', state.supervisor, state.supervisor.socket)] : []),
    row('control', state.control, [state.control.identityAddr && `identity ${state.control.identityAddr}`, state.control.destinationAddr && `destination ${state.control.destinationAddr}`, state.control.metricsApiAddr && `metrics API ${state.control.metricsApiAddr}`, state.control.webAddr && `dashboard http://${state.control.webAddr}/`].filter(Boolean).join(', ')),
    ...(state.prometheus ? [row('prometheus', state.prometheus, state.prometheus.url)] : []),
  ];
}

/** "exited with code 1" / "killed by SIGKILL". */
export function describeExit(e: Pick<ExitRecord, 'code' | 'signal'>): string {
  return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
}

/** "12s ago", "3m ago", "2h ago". */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

function exitCell(e: (ExitRecord & { process?: string }) | undefined, now: number): string {
  if (!e) return '-';
  const how = e.signal ?? `code ${e.code}`;
  return `${e.process ? `${e.process} ` : ''}${how} ${ago(e.at, now)}`;
}

/** A plain left-aligned text table (header row first). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd()).join('\n') + '\n';
}

export function formatStatus(rows: readonly WorkloadStatus[], now = Date.now()): string {
  return formatTable([
    ['NAME', 'NAMESPACE', 'IP', 'APP PID', 'PROXY PID', 'STATUS', 'READY', 'RESTARTS', 'LAST EXIT'],
    ...rows.map((r) => [r.name, r.namespace, r.ip, String(r.appPid ?? '-'), String(r.proxyPid ?? '-'), r.status, r.ready ? 'yes' : 'no', String(r.restarts), exitCell(r.lastExit, now)]),
  ]);
}

export function formatComponents(rows: readonly ComponentStatus[], now = Date.now()): string {
  return formatTable([
    ['COMPONENT', 'PID', 'STATUS', 'RESTARTS', 'LAST EXIT', 'ADDRESS'],
    ...rows.map((r) => [r.name, String(r.pid ?? '-'), r.running ? 'running' : 'exited', String(r.restarts), exitCell(r.lastExit, now), r.address || '-']),
  ]);
}
