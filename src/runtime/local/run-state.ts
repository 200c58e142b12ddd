// <state-dir>/run.json: what a `weft up` made, written as it goes, so `weft ps`, `logs`,
// `viz stat` and `down` (or the next `up`, after a crash) know the processes, namespaces and
// files without asking anyone. Also the state directory's layout.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import type { ResourceKey } from '../../control/store/types.js';
import type { ExitRecord } from './supervised-process.js';

export const DEFAULT_WEFT_DIR = join(homedir(), '.weft');

export type RunMode = 'netns' | 'loopback';

export interface ProcessRecord {
  readonly pid: number;
  /** /proc start time, so a reused pid is not taken for ours (supervisor.ts startTimeOf). */
  readonly startTime?: string | undefined;
  readonly log: string;
  /** How often the supervisor restarted it, and how it last ended. */
  readonly restarts?: number | undefined;
  readonly lastExit?: ExitRecord | undefined;
}

/** One pod of a Deployment (`name` is the Deployment's own name when it has one replica). */
export interface WorkloadRecord {
  readonly name: string;
  readonly namespace: string;
  /** The Deployment (absent in run.json files of older versions: then `name`). */
  readonly deployment?: string | undefined;
  readonly replica?: number | undefined;
  /** Namespace mode: the pod's slot (netns weft<n>p<slot>, address 10.77.<n>.<slot+2>). */
  readonly slot?: number | undefined;
  /** App (and proxy) up and listening: the pod's endpoints are ready. */
  readonly ready?: boolean | undefined;
  readonly serviceAccount: string;
  /** Network namespace (namespace mode). */
  readonly netns: string | undefined;
  readonly hostIf: string | undefined;
  /** Pod IP (namespace mode) or 127.0.0.1. */
  readonly ip: string;
  readonly ports: readonly number[];
  readonly app: ProcessRecord | undefined;
  readonly proxy: ProcessRecord | undefined;
  /** host:port of the proxy's admin server, reachable from the host. */
  readonly adminAddr: string | undefined;
  /** Loopback mode: the proxy's ports. */
  readonly outboundAddr: string | undefined;
  readonly inboundAddr: string | undefined;
  /** The proxy's tap server, reachable from the host (absent in run.json files of older versions). */
  readonly tapAddr?: string | undefined;
}

export interface RunState {
  readonly version: 1;
  readonly mode: RunMode;
  readonly meshFile: string;
  readonly startedAt: string;
  /** Network index (namespace mode): names and addresses derive from it (plan.ts). */
  readonly networkIndex: number | undefined;
  readonly bridge: string | undefined;
  /** Directory with per-workload proxy files (token, trust anchors), readable by the proxy uid. */
  readonly runDir: string;
  readonly control: ProcessRecord & { readonly identityAddr: string; readonly destinationAddr: string; readonly metricsApiAddr?: string | undefined; readonly tapApiAddr?: string | undefined; readonly webAddr?: string | undefined };
  /** The `weft supervise` process that keeps everything running (restarts, live apply). */
  readonly supervisor?: (ProcessRecord & { readonly socket: string }) | undefined;
  /** The run's Prometheus (absent with --no-prometheus). */
  readonly prometheus?: (ProcessRecord & { readonly url: string; readonly dataDir: string; readonly scrapeIntervalSeconds: number }) | undefined;
  /** Services and their cluster IPs (namespace mode). */
  readonly services?: readonly ServiceRecord[] | undefined;
  readonly hostsFiles: readonly string[];
  readonly workloads: readonly WorkloadRecord[];
  /** What `up` wrote to the store, for `down` to delete. */
  readonly storeKeys: readonly ResourceKey[];
}

export interface ServiceRecord {
  readonly namespace: string;
  readonly name: string;
  /** '' in loopback mode. */
  readonly clusterIP: string;
  readonly ports: readonly number[];
  /** The pods' ports it targets. */
  readonly targetPorts?: readonly number[] | undefined;
  /** Pods behind it (pod names). */
  readonly pods: readonly string[];
}

export class RunStateError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_RUN_STATE', message, options);
  }
}

export interface StatePaths {
  readonly root: string;
  /** The local store (what `weft apply --state-dir` takes). */
  readonly store: string;
  /** The CA directory (trust anchor, issuer, join-token secret). */
  readonly identity: string;
  readonly logs: string;
  readonly runFile: string;
  /** The supervisor's API (a unix socket). */
  readonly socket: string;
  /** Prometheus' config, rules, targets and data. */
  readonly prometheus: string;
}

export function statePaths(root: string): StatePaths {
  return Object.freeze({
    root,
    store: join(root, 'state'),
    identity: join(root, 'identity'),
    logs: join(root, 'logs'),
    runFile: join(root, 'run.json'),
    socket: join(root, 'supervisor.sock'),
    prometheus: join(root, 'prometheus'),
  });
}

export async function readRunState(root: string): Promise<RunState | undefined> {
  const file = statePaths(root).runFile;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunStateError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as RunState;
    if (v.version !== 1 || !Array.isArray(v.workloads)) throw new Error('unknown format');
    return v;
  } catch (err) {
    throw new RunStateError(`${file}: not a weft run state (${(err as Error).message}); remove it after checking nothing runs`, { cause: err });
  }
}

/** Atomic write: readers (ps, viz) never see half a file. */
export async function writeRunState(root: string, s: RunState): Promise<void> {
  const file = statePaths(root).runFile;
  await mkdir(root, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(s, null, 2) + '\n');
  await rename(tmp, file);
}

export async function removeRunState(root: string): Promise<void> {
  await rm(statePaths(root).runFile, { force: true });
}

/** A pod by its name, or by its Deployment's name when that has one pod. */
export function findWorkload(s: RunState, name: string): WorkloadRecord {
  const w = s.workloads.find((x) => x.name === name) ?? onlyPodOf(s, name);
  if (!w) throw new RunStateError(`no workload "${name}" in this run (have: ${s.workloads.map((x) => x.name).join(', ')})`);
  return w;
}

function onlyPodOf(s: RunState, deployment: string): WorkloadRecord | undefined {
  const pods = s.workloads.filter((x) => (x.deployment ?? x.name) === deployment);
  return pods.length === 1 ? pods[0] : undefined;
}
