// <state-dir>/run.json: what a `weft up` made, written as it goes, so `weft ps`, `logs`,
// `viz stat` and `down` (or the next `up`, after a crash) know the processes, namespaces and
// files without asking anyone. Also the state directory's layout.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import type { ResourceKey } from '../../control/store/types.js';

export const DEFAULT_WEFT_DIR = join(homedir(), '.weft');

export type RunMode = 'netns' | 'loopback';

export interface ProcessRecord {
  readonly pid: number;
  /** /proc start time, so a reused pid is not taken for ours (supervisor.ts startTimeOf). */
  readonly startTime?: string | undefined;
  readonly log: string;
}

export interface WorkloadRecord {
  readonly name: string;
  readonly namespace: string;
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
  readonly control: ProcessRecord & { readonly identityAddr: string; readonly destinationAddr: string };
  readonly hostsFiles: readonly string[];
  readonly workloads: readonly WorkloadRecord[];
  /** What `up` wrote to the store, for `down` to delete. */
  readonly storeKeys: readonly ResourceKey[];
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
}

export function statePaths(root: string): StatePaths {
  return Object.freeze({
    root,
    store: join(root, 'state'),
    identity: join(root, 'identity'),
    logs: join(root, 'logs'),
    runFile: join(root, 'run.json'),
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

export function findWorkload(s: RunState, name: string): WorkloadRecord {
  const w = s.workloads.find((x) => x.name === name);
  if (!w) throw new RunStateError(`no workload "${name}" in this run (have: ${s.workloads.map((x) => x.name).join(', ')})`);
  return w;
}
