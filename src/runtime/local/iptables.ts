// Applies and removes weft's nat rules in a network namespace through iptables-save/-restore
// (one atomic transaction each). Works with both back ends: iptables-nft and iptables-legacy,
// chosen explicitly or detected the way Kubernetes' iptables-wrapper does (the back end that
// already holds rules wins; nft when neither does).
import { existsSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import type { InterceptionConfig } from './iptables-rules.js';
import { renderApply, renderRemoval, weftState } from './iptables-rules.js';
import { run } from './exec.js';

export interface IptablesTool {
  /** e.g. "iptables-nft" or "/usr/sbin/iptables-legacy" */
  readonly binary: string;
  readonly save: string;
  readonly restore: string;
}

/** The save/restore pair belonging to an iptables binary ("iptables-nft" -> "iptables-nft-save"). */
export function iptablesTool(binary: string): IptablesTool {
  const dir = dirname(binary);
  const base = basename(binary);
  const sibling = (suffix: string): string => (binary.includes('/') ? join(dir, `${base}-${suffix}`) : `${base}-${suffix}`);
  return Object.freeze({ binary, save: sibling('save'), restore: sibling('restore') });
}

function onPath(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Where the iptables commands run: the current namespace, or a named one (`ip netns exec`). */
export interface IptablesTarget {
  readonly tool: IptablesTool;
  readonly netns?: string | undefined;
}

function inNetns(netns: string | undefined, file: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, file, ...args]] : [file, args];
}

async function save(tool: IptablesTool, netns: string | undefined, table?: string): Promise<string> {
  const [file, args] = inNetns(netns, tool.save, table ? ['-t', table] : []);
  return (await run(file, args)).stdout;
}

async function restore(target: IptablesTarget, input: string): Promise<void> {
  const [file, args] = inNetns(target.netns, target.tool.restore, ['--noflush']);
  await run(file, args, { input });
}

/** Picks iptables-nft or iptables-legacy for the namespace (see the file comment). */
export async function detectIptables(netns?: string): Promise<IptablesTool> {
  const candidates = ['iptables-nft', 'iptables-legacy'].filter(onPath);
  if (candidates.length === 0) return iptablesTool('iptables');
  let best = iptablesTool(candidates[0] as string);
  let bestRules = -1;
  for (const c of candidates) {
    const tool = iptablesTool(c);
    let rules: number;
    try {
      rules = (await save(tool, netns)).split('\n').filter((l) => l.startsWith('-A ')).length;
    } catch {
      continue; // this back end is unusable here (e.g. kernel module missing)
    }
    if (rules > bestRules) {
      best = tool;
      bestRules = rules;
    }
  }
  return best;
}

/** `iptables-save -t nat` in the target namespace. */
export function readNat(target: IptablesTarget): Promise<string> {
  return save(target.tool, target.netns, 'nat');
}

/** Installs (or replaces) weft's rules; returns the restore input that was applied. */
export async function applyInterception(config: InterceptionConfig, target: IptablesTarget): Promise<string> {
  const input = renderApply(config, weftState(await readNat(target)));
  await restore(target, input);
  return input;
}

/** Removes weft's chains and jumps, nothing else; false when there was nothing to remove. */
export async function removeInterception(target: IptablesTarget): Promise<boolean> {
  const input = renderRemoval(weftState(await readNat(target)));
  if (input === undefined) return false;
  await restore(target, input);
  return true;
}
