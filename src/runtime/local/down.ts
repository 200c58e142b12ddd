// `weft down`: undo what run.json says the run made — the supervisor first (or it would restart
// the rest), apps (so they are not left talking to a dead proxy), proxies, then the control
// plane and Prometheus; namespaces (their rules and veth ends go with them), host veths, the
// bridge, the hosts files, the proxies' files, the store entries. Prometheus' data stays in
// the state dir (history across runs, within its retention).
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { deleteLink } from './netns.js';
import { teardownPod } from './pod.js';
import type { ProcessRecord, RunState } from './run-state.js';
import { readRunState, removeRunState, statePaths } from './run-state.js';
import { removeFromStore } from './store-sync.js';
import { callSupervisor } from './supervisor-api.js';
import { isAlive, stopProcess } from './supervisor.js';

export interface DownResult {
  readonly found: boolean;
  readonly stopped: number;
  readonly namespaces: readonly string[];
}

/** Removes everything a (possibly half-made or crashed) run made. Best effort per item. */
export async function teardown(root: string, state: RunState, say: (line: string) => void = () => undefined): Promise<DownResult> {
  const errors: Error[] = [];
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err as Error);
      say(`warning: ${what}: ${(err as Error).message}`);
    }
  };
  let stopped = 0;
  const stopAll = async (procs: (ProcessRecord | undefined)[]): Promise<void> => {
    await Promise.all(procs.filter((p): p is ProcessRecord => !!p && p.pid > 0).map(async (p) => {
      await attempt(`stop pid ${p.pid}`, () => stopProcess(p.pid, 5000, p.startTime));
      stopped++;
    }));
  };
  // A supervisor still there would restart what is stopped below: it goes first, at once.
  if (state.supervisor && state.supervisor.pid !== process.pid) {
    await attempt(`stop supervisor pid ${state.supervisor.pid}`, () => stopProcess((state.supervisor as ProcessRecord).pid, 0, state.supervisor?.startTime));
  }
  await stopAll(state.workloads.map((w) => w.app));
  await stopAll(state.workloads.map((w) => w.proxy));
  await stopAll([state.control, state.prometheus]);
  const namespaces: string[] = [];
  for (const w of state.workloads) {
    if (!w.netns) continue;
    await attempt(`remove namespace ${w.netns}`, () => teardownPod(w.netns as string, w.hostIf));
    namespaces.push(w.netns);
  }
  for (const f of state.hostsFiles) {
    // /etc/netns/<ns>/hosts: teardownPod removed it with its directory; this catches the rest.
    if (basename(f) === 'hosts' && dirname(dirname(f)) === '/etc/netns') await attempt(`remove ${f}`, () => rm(dirname(f), { recursive: true, force: true }));
  }
  if (state.bridge) await attempt(`remove bridge ${state.bridge}`, () => deleteLink(state.bridge as string));
  if (state.runDir && basename(state.runDir).startsWith('weft-run-')) {
    await attempt(`remove ${state.runDir}`, () => rm(state.runDir, { recursive: true, force: true }));
  }
  await attempt('remove store entries', () => removeFromStore(statePaths(root).store, state.storeKeys ?? []));
  await removeRunState(root);
  say(`stopped ${stopped} process(es)${namespaces.length ? `, removed ${namespaces.length} namespace(s)` : ''}`);
  return { found: true, stopped, namespaces };
}

/**
 * `weft down`: the supervisor stops everything and removes what was made (it knows what is
 * under way); when it does not answer, it is killed and run.json says what to remove.
 */
export async function down(root: string, say: (line: string) => void = () => undefined): Promise<DownResult> {
  const state = await readRunState(root);
  if (!state) return { found: false, stopped: 0, namespaces: [] };
  const sup = state.supervisor;
  if (sup && isAlive(sup.pid, sup.startTime)) {
    try {
      const r = await callSupervisor<DownResult & { lines: string[] }>(sup.socket, 'POST', '/v1/shutdown', undefined, 90_000);
      for (const l of r.lines) say(l);
      for (let i = 0; i < 100 && isAlive(sup.pid, sup.startTime); i++) await new Promise((res) => setTimeout(res, 50));
      const left = await readRunState(root);
      if (!left) return { found: true, stopped: r.stopped, namespaces: r.namespaces };
      return teardown(root, left, say);
    } catch (err) {
      say(`warning: the supervisor did not stop the mesh (${(err as Error).message}); stopping what run.json names`);
    }
  }
  return teardown(root, (await readRunState(root)) ?? state, say);
}
