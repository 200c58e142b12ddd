// What the local runtime's children share: where weft itself is (to start `weft proxy`,
// `weft control`, `weft supervise` with the same Node), and the environment they inherit —
// enough to find programs, nothing of weft's own settings.
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

/** argv of `weft proxy`, with the Node flags the proxy is measured with (proxy/node-flags.ts). */
export function weftProxyArgv(): string[] {
  return [process.execPath, ...PROXY_NODE_FLAGS, join(WEFT_ROOT, 'bin/weft.js'), 'proxy'];
}

export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOME: tmpdir() };
  for (const k of ['LANG', 'TZ', 'NODE_OPTIONS']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}
