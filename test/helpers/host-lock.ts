// A lock shared by the test files of one host, for resources only one of them can hold at a time
// (the injector's port on this host's address: the API server calls the webhook at the pod IP the
// test reports, which is this host's, on the port the Deployment names). A directory is created
// atomically; it holds the owner's pid, so a lock left by a killed runner is taken over.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostLock {
  release(): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Waits (polling) until the named lock is free, up to `timeoutMs`. */
export async function hostLock(name: string, timeoutMs = 300_000): Promise<HostLock> {
  const dir = join(tmpdir(), `weft-test-lock-${name}`);
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      return { release: () => rm(dir, { recursive: true, force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => ''));
    // No pid yet may be an owner between mkdir and writeFile: only a dead owner is overruled.
    if (owner > 0 && !alive(owner)) await rm(dir, { recursive: true, force: true });
    if (Date.now() > end) throw new Error(`test lock ${name} still held by pid ${owner} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
