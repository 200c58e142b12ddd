// Starts `node bin/weft.js proxy` configured by environment, as the mesh's runtimes do, and
// waits for its admin /ready.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from '../src/lib/address.js';
import { freePort, startProcess, stopProcess, waitUntil, type Proc } from './procs.js';
import type { TargetContext } from './types.js';

export interface WeftProxy {
  readonly proc: Proc;
  /** From spawn to the admin's /ready answering 200 (with identity: certificate obtained). */
  readonly readyMs: number;
  readonly outbound: Address;
  readonly inbound: Address;
  readonly admin: Address;
}

export interface WeftDestinations {
  readonly outboundDst?: Address;
  readonly inboundDst?: Address;
}

/** Fine enough for the startup row (its target is 200 ms). */
const READY_POLL_MS = 5;

const addr = (a: Address): string => `${a.host}:${a.port}`;

function getStatus(a: Address, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: a.host, port: a.port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}

/** Why the weft proxy cannot run from `repoRoot`: its bundle (`npm run build`) is missing. */
export function weftUnavailable(repoRoot: string): string | undefined {
  return existsSync(join(repoRoot, 'dist/proxy/main.js')) ? undefined : 'dist/proxy/main.js not built (no weft proxy yet)';
}

export async function startWeftProxy(name: string, ctx: TargetContext, dst: WeftDestinations, extraEnv: Record<string, string> = {}): Promise<WeftProxy> {
  const host = '127.0.0.1';
  const outbound = { host, port: await freePort() };
  const inbound = { host, port: await freePort() };
  const admin = { host, port: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WEFT_PROXY_OUTBOUND_LISTEN_ADDR: addr(outbound),
    WEFT_PROXY_INBOUND_LISTEN_ADDR: addr(inbound),
    WEFT_PROXY_ADMIN_LISTEN_ADDR: addr(admin),
    WEFT_PROXY_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  if (dst.outboundDst) env.WEFT_PROXY_OUTBOUND_DEFAULT_DST = addr(dst.outboundDst);
  if (dst.inboundDst) env.WEFT_PROXY_INBOUND_DEFAULT_DST = addr(dst.inboundDst);
  const { bin, flags } = ctx.runtime.command();
  const t0 = performance.now();
  const proc = startProcess(name, bin, [...flags, join(ctx.repoRoot, 'bin/weft.js'), 'proxy'], {
    env,
    cwd: ctx.repoRoot,
    logPath: join(ctx.workDir, `${name}.log`),
    ...(ctx.pin ? { pin: ctx.pin } : {}),
  });
  try {
    await waitUntil(`${name} /ready`, async () => (await getStatus(admin, '/ready')) === 200, 15_000, proc, READY_POLL_MS);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return { proc, readyMs: performance.now() - t0, outbound, inbound, admin };
}
