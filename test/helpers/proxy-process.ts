// A real `weft proxy` process for tests that need the process itself (its exit, its RSS, its
// process-level guards): spawned on port 0 with the node flags every launcher uses, its ports read from its first log line, killed
// after the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address } from '../../src/lib/address.js';
import { PROXY_NODE_FLAGS } from '../../src/proxy/node-flags.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const weftBin = join(root, 'bin', 'weft.js');

export interface ProxyProcess {
  readonly child: ChildProcess;
  readonly outbound: Address;
  readonly inbound: Address;
  readonly admin: Address;
  /** Everything the proxy wrote to stderr so far. */
  log(): string;
  /** Resident set size in KiB (from /proc). */
  rssKb(): number;
  alive(): boolean;
}

type After = { after(fn: () => void | Promise<void>): void };

export async function startProxyProcess(t: After, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [...PROXY_NODE_FLAGS, ...nodeArgs, weftBin, 'proxy'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => {
    child.kill('SIGKILL');
  });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const a = (host: string, port: string | undefined): Address => ({ host, port: Number(port) });
  const ports = await new Promise<{ outbound: Address; inbound: Address; admin: Address }>((resolve, reject) => {
    const check = (): void => {
      const m = /outbound="([\d.]+):(\d+)" inbound="([\d.]+):(\d+)" admin="([\d.]+):(\d+)"/.exec(log);
      if (m) resolve({ outbound: a(m[1] as string, m[2]), inbound: a(m[3] as string, m[4]), admin: a(m[5] as string, m[6]) });
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`proxy exited early (${code}): ${log}`)));
    setTimeout(() => reject(new Error(`proxy did not start in 10 s: ${log}`)), 10_000).unref();
  });
  return {
    child,
    ...ports,
    log: () => log,
    rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0),
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}
