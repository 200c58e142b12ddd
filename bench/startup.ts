// Start to ready: how long a proxy takes from spawn until its admin /ready answers 200 with a
// certificate from a running identity service (CSR, signing, trust anchors loaded), and its
// RSS a second later with nothing to do — per runtime, the median of --repeat starts.
import { join } from 'node:path';
import { startBenchIdentity } from './identity-fixture.js';
import { rssMb, stopProcess } from './procs.js';
import type { Runtime } from './runtimes.js';
import type { StartupRow } from './table.js';
import { median } from './medians.js';
import { startWeftProxy } from './weft.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function measureStartup(rt: Runtime, repoRoot: string, workDir: string, repeat: number): Promise<StartupRow> {
  const identity = await startBenchIdentity(join(workDir, `startup-${rt.name}`));
  const ready: number[] = [];
  const rss: number[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const ctx = { protocol: 'http1' as const, backend: { host: '127.0.0.1', port: 9 }, workDir: identity.workDir, repoRoot, runtime: rt };
      const p = await startWeftProxy(`startup-${rt.name}-${i}`, ctx, {}, identity.proxyEnv('startup'));
      try {
        ready.push(p.readyMs);
        await sleep(1000);
        rss.push(rssMb([p.proc.pid]));
      } finally {
        await stopProcess(p.proc);
      }
    }
  } catch (err) {
    return { runtime: rt.name, version: rt.version(), note: `failed: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    await identity.close();
  }
  return { runtime: rt.name, version: rt.version(), readyMs: median(ready), minMs: Math.min(...ready), maxMs: Math.max(...ready), rssIdleMb: median(rss) };
}
