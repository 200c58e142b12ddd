// `weft up -f mesh.yaml`: the whole mesh on this machine, kept running. `up` validates the file,
// picks the mode, cleans up a crashed run, then starts `weft supervise` (supervisor-daemon.ts),
// which makes the mesh — control plane, Prometheus, store, per pod its namespace (or loopback
// ports), proxy and app — records every step in run.json (so `weft down` undoes a half-made
// run) and stays to restart what exits and to apply live changes. `up` returns once it is up.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import { baseEnv, WEFT_ROOT, weftArgv } from './child-env.js';
import { teardown } from './down.js';
import { checkLoopbackPorts } from './loopback.js';
import { loadMeshFile } from './mesh-file.js';
import { netnsSupport } from './netns.js';
import { networkNames } from './plan.js';
import { DEFAULT_RETENTION, DEFAULT_SCRAPE_INTERVAL_SECONDS, findPrometheus, PrometheusMissingError } from './prometheus.js';
import type { RunMode, RunState } from './run-state.js';
import { readRunState, statePaths } from './run-state.js';
import type { SuperviseOptions, SupervisorMessage } from './supervisor-daemon.js';
import { isAlive, tail } from './supervisor.js';

export { WEFT_ROOT };

export class AlreadyUpError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_ALREADY_UP', message);
  }
}

export interface UpOptions {
  readonly meshFile: string;
  readonly stateDir: string;
  /** 'auto': namespaces when possible, else loopback (and say why). */
  readonly mode: RunMode | 'auto';
  readonly networkIndex?: number;
  readonly readyTimeoutMs?: number;
  readonly proxyUid?: number;
  /** Where relative commands run (default: the current directory). */
  readonly workingDir?: string;
  readonly progress?: (line: string) => void;
  /** Run Prometheus (default true). */
  readonly prometheus?: boolean;
  readonly scrapeIntervalSeconds?: number;
  /** Prometheus' retention, e.g. "24h". */
  readonly retention?: string;
}

export interface UpResult {
  readonly state: RunState;
  readonly mode: RunMode;
  /** Why namespace mode was not used, when it was not. */
  readonly fallbackReason: string | undefined;
}

async function chooseMode(want: UpOptions['mode']): Promise<{ mode: RunMode; reason: string | undefined }> {
  if (want === 'loopback') return { mode: 'loopback', reason: 'loopback mode requested' };
  const support = await netnsSupport();
  if (support.ok) return { mode: 'netns', reason: undefined };
  if (want === 'netns') throw new WeftError('WEFT_ERR_NETNS_UNAVAILABLE', `namespace mode unavailable: ${support.reason}`);
  return { mode: 'loopback', reason: support.reason };
}

/**
 * Checks what can be checked here (the file, the mode, a mesh already up), then starts the
 * supervisor, which makes the mesh and keeps it; relays its progress until it is up.
 */
export async function up(o: UpOptions): Promise<UpResult> {
  const say = o.progress ?? (() => undefined);
  const workingDir = resolve(o.workingDir ?? process.cwd());
  const mesh = await loadMeshFile(o.meshFile, { workingDir });
  const { mode, reason } = await chooseMode(o.mode);
  if (mode === 'loopback') checkLoopbackPorts(mesh);
  const networkIndex = networkNames(o.networkIndex ?? 0).index;
  const prometheus = o.prometheus ?? true;
  if (prometheus && !findPrometheus()) throw new PrometheusMissingError();
  const paths = statePaths(resolve(o.stateDir));
  say(mode === 'netns'
    ? 'mode: namespaces (transparent interception with iptables, one network namespace per pod)'
    : `mode: loopback (explicit proxy via HTTP_PROXY, no interception) — ${reason}`);

  const previous = await readRunState(paths.root);
  if (previous) {
    if (isAlive(previous.supervisor?.pid, previous.supervisor?.startTime) || isAlive(previous.control.pid, previous.control.startTime)) {
      throw new AlreadyUpError(`a mesh is already up from ${previous.meshFile} (state dir ${paths.root}); run \`weft down\` first`);
    }
    say('cleaning up a previous run that did not shut down');
    await teardown(paths.root, previous);
  }
  await mkdir(paths.logs, { recursive: true });
  const options: SuperviseOptions = {
    meshFile: resolve(o.meshFile), workingDir, mode, networkIndex, readyTimeoutMs: o.readyTimeoutMs ?? 30_000, proxyUid: o.proxyUid,
    prometheus, scrapeIntervalSeconds: o.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS, retention: o.retention ?? DEFAULT_RETENTION,
  };
  await startSupervisor(paths.root, join(paths.logs, 'supervisor.log'), options, say);
  const state = await readRunState(paths.root);
  if (!state) throw new WeftError('WEFT_ERR_RUN_STATE', `the supervisor reported the mesh up, but ${paths.runFile} is missing`);
  return { state, mode, fallbackReason: reason };
}

/** Starts `weft supervise` detached, hands it the options, relays its progress until it is up. */
async function startSupervisor(root: string, log: string, options: SuperviseOptions, say: (line: string) => void): Promise<void> {
  const fd = openSync(log, 'a');
  const [file, ...args] = weftArgv('supervise', '--state-dir', root);
  const child = spawn(file as string, args, { cwd: WEFT_ROOT, env: baseEnv(), detached: true, stdio: ['ignore', fd, fd, 'ipc'] });
  closeSync(fd);
  try {
    await new Promise<void>((resolveUp, reject) => {
      child.on('message', (m: SupervisorMessage) => {
        if (m.type === 'progress') say(m.line);
        else if (m.type === 'ready') resolveUp();
        else reject(new WeftError(m.code, m.message));
      });
      child.once('error', (err) => reject(new WeftError('WEFT_ERR_PROCESS_START', `weft supervise: ${err.message}`)));
      child.once('exit', (code, signal) => void tail(log, 15).then((t) =>
        reject(new WeftError('WEFT_ERR_SUPERVISOR_EXITED', `the supervisor exited (${signal ?? `code ${code}`}) before the mesh was up (log ${log}):\n${t}`))));
      child.send({ type: 'start', options });
    });
  } finally {
    // From here on it runs on its own; `weft down` stops it.
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** Where the host reaches a workload's first port: the pod, or its inbound proxy on loopback. */
export function webUrl(state: RunState, workload: string): string | undefined {
  const w = state.workloads.find((x) => x.name === workload);
  if (!w) return undefined;
  if (state.mode === 'netns') return w.ports[0] === undefined ? undefined : `http://${w.ip}:${w.ports[0]}/`;
  return w.inboundAddr ? `http://${w.inboundAddr}/` : w.ports[0] === undefined ? undefined : `http://127.0.0.1:${w.ports[0]}/`;
}
