// Start to ready: how long a proxy takes from spawn until its admin /ready answers 200 with a
// certificate from a running identity service (CSR, signing, trust anchors loaded), and its
// RSS a second later with nothing to do — per runtime, the median of --repeat starts. The
// meshed variant is an injected pod's proxy: also a destination service for discovery and
// outbound policy, its inbound ports' policies and a tap listener (gRPC loaded at start).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDestinationServer } from '../src/control/destination/server.js';
import { LocalStore } from '../src/control/store/local-store.js';
import { startBenchIdentity } from './identity-fixture.js';
import { rssMb, stopProcess } from './procs.js';
import type { Runtime } from './runtimes.js';
import type { StartupRow } from './table.js';
import { median } from './medians.js';
import { startWeftProxy } from './weft.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function measureStartup(rt: Runtime, repoRoot: string, workDir: string, repeat: number, meshed = false): Promise<StartupRow> {
  const name = meshed ? `${rt.name} meshed` : rt.name;
  const dir = join(workDir, `startup-${rt.name}${meshed ? '-meshed' : ''}`);
  const identity = await startBenchIdentity(dir);
  let control: { port: number; close(): Promise<void> } | undefined;
  let store: LocalStore | undefined;
  const ready: number[] = [];
  const rss: number[] = [];
  try {
    let extra: Record<string, string> = {};
    if (meshed) {
      mkdirSync(join(dir, 'store'));
      store = await LocalStore.open(join(dir, 'store'), { follow: false });
      control = await startDestinationServer(store, '127.0.0.1:0');
      extra = {
        WEFT_PROXY_DESTINATION_SVC_ADDR: `127.0.0.1:${control.port}`,
        WEFT_PROXY_DESTINATION_CONTEXT: JSON.stringify({ ns: 'bench', pod: 'startup' }),
        WEFT_PROXY_INBOUND_PORTS: '8080',
        WEFT_PROXY_TAP_SVC_NAME: identity.spiffe('tap'),
        WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0',
      };
    }
    for (let i = 0; i < repeat; i++) {
      const ctx = { protocol: 'http1' as const, backend: { host: '127.0.0.1', port: 9 }, workDir: identity.workDir, repoRoot, runtime: rt };
      const p = await startWeftProxy(`startup-${name.replace(' ', '-')}-${i}`, ctx, {}, { ...identity.proxyEnv('startup'), ...extra });
      try {
        ready.push(p.readyMs);
        await sleep(1000);
        rss.push(rssMb([p.proc.pid]));
      } finally {
        await stopProcess(p.proc);
      }
    }
  } catch (err) {
    return { runtime: name, version: rt.version(), note: `failed: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    await control?.close();
    await store?.close();
    await identity.close();
  }
  return { runtime: name, version: rt.version(), readyMs: median(ready), minMs: Math.min(...ready), maxMs: Math.max(...ready), rssIdleMb: median(rss) };
}
