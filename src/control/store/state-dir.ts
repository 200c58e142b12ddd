// On-disk layout of the local store's state directory (default ~/.weft/state):
//   version                       last resourceVersion handed out (decimal)
//   resources/<Kind>_<ns>_<name>.json   one resource each, written atomically (tmp + rename)
//   lock                          held by a writer (weft apply/delete) while it writes
// `_` cannot occur in Kubernetes names, so the file name is an unambiguous key. Readers never
// lock: they read `version` first and rescan only when it moved.
import { mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import type { Resource, ResourceKey } from './types.js';
import { KINDS } from './types.js';

export const DEFAULT_STATE_DIR = join(homedir(), '.weft', 'state');
const FORMAT = 1;
const STALE_LOCK_MS = 10_000;

export class StateDirError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_STATE_DIR', message, options);
  }
}

export function resourceFile(dir: string, k: ResourceKey): string {
  return join(dir, 'resources', `${k.kind}_${k.namespace}_${k.name}.json`);
}

export async function ensureStateDir(dir: string): Promise<void> {
  await mkdir(join(dir, 'resources'), { recursive: true });
}

export async function readVersion(dir: string): Promise<number> {
  try {
    const n = Number((await readFile(join(dir, 'version'), 'utf8')).trim());
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

export async function writeVersion(dir: string, v: number): Promise<void> {
  await writeAtomic(join(dir, 'version'), `${v}\n`);
}

export async function writeResource(dir: string, r: Resource): Promise<void> {
  const k = { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name };
  await writeAtomic(resourceFile(dir, k), JSON.stringify({ format: FORMAT, resource: r }));
}

export async function removeResource(dir: string, k: ResourceKey): Promise<boolean> {
  try {
    await unlink(resourceFile(dir, k));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Reads every stored resource. Files in an unknown format are skipped (a newer weft wrote them). */
export async function readAllResources(dir: string): Promise<Resource[]> {
  const rdir = join(dir, 'resources');
  let names: string[];
  try {
    names = await readdir(rdir);
  } catch {
    return [];
  }
  const out: Resource[] = [];
  for (const n of names) {
    if (!n.endsWith('.json') || !KINDS.some((k) => n.startsWith(`${k}_`))) continue;
    try {
      const parsed = JSON.parse(await readFile(join(rdir, n), 'utf8')) as { format?: number; resource?: Resource };
      if (parsed.format === FORMAT && parsed.resource) out.push(deepFreeze(parsed.resource));
    } catch (err) {
      // Removed between readdir and readFile (a concurrent delete): that is fine.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateDirError(`cannot read ${join(rdir, n)}`, { cause: err });
    }
  }
  return out;
}

/** Runs `fn` holding the state directory's writer lock (an O_EXCL lock file). */
export async function withLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const file = join(dir, 'lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const h = await open(file, 'wx');
      await h.writeFile(String(process.pid));
      await h.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateDirError(`cannot lock ${dir}`, { cause: err });
      // A writer that died holding the lock must not wedge the store forever.
      const st = await stat(file).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) await unlink(file).catch(() => undefined);
      if (Date.now() > deadline) throw new StateDirError(`state directory ${dir} is locked by another writer (${file})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
