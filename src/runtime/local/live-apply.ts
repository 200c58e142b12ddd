// `weft apply -f` / `weft delete -f` on a running mesh: the files go to its supervisor, which
// changes the desired state and reconciles (new Deployments start, changed ones are replaced,
// a new Service gets its cluster IP, ...). The mesh is found from --state-dir: the weft state
// directory itself (~/.weft), or the store directory inside it (~/.weft/state, the flag's
// historical meaning), when its run.json names a live supervisor.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import { MeshFileError } from './mesh-file.js';
import type { RunState } from './run-state.js';
import { readRunState } from './run-state.js';
import { callSupervisor } from './supervisor-api.js';
import { isAlive } from './supervisor.js';

export class NoRunningMeshError extends WeftError {
  constructor(dir: string, what: string) {
    super('WEFT_ERR_NO_MESH', `${what} need a running mesh (weft up), and none is up in ${dir}`);
  }
}

/** The run whose supervisor is alive, from a weft state dir or the store dir inside one. */
export async function findRunningMesh(dir: string): Promise<RunState | undefined> {
  const abs = resolve(dir);
  for (const root of basename(abs) === 'state' ? [abs, dirname(abs)] : [abs]) {
    const s = await readRunState(root).catch(() => undefined);
    if (s?.supervisor && isAlive(s.supervisor.pid, s.supervisor.startTime)) return s;
  }
  return undefined;
}

export async function readManifestText(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new MeshFileError(file, undefined, '', `cannot read: ${(err as Error).message}`);
  }
}

/** True when the text holds a Deployment (which only a running mesh can run). */
export function hasDeployment(text: string): boolean {
  return /^kind:\s*Deployment\s*$/m.test(text);
}

/** Sends each file to the supervisor in turn; returns kubectl-style lines. */
export async function changeLive(state: RunState, files: readonly string[], how: 'apply' | 'delete', o: { prune?: boolean; workingDir?: string } = {}): Promise<string[]> {
  const socket = state.supervisor?.socket as string;
  const lines: string[] = [];
  for (const file of files) {
    const text = await readManifestText(file);
    const r = await callSupervisor<{ lines: string[] }>(socket, 'POST', `/v1/${how}`, {
      text, file, workingDir: resolve(o.workingDir ?? process.cwd()), prune: o.prune === true,
    });
    lines.push(...r.lines);
  }
  return lines;
}
