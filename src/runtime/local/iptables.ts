// Applies and removes weft's nat rules in a network namespace through iptables-save/-restore
// (one atomic transaction each). Works with both back ends: iptables-nft and iptables-legacy,
// chosen explicitly or detected the way Kubernetes' iptables-wrapper does (the back end that
// already holds rules wins; nft when neither does). The rules name no addresses, so the same
// text serves ip6tables when IPv6 is asked for.
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

/** The IPv6 counterpart of a tool ("iptables-nft" -> "ip6tables-nft"). */
export function ip6Tool(tool: IptablesTool): IptablesTool {
  const base = basename(tool.binary);
  if (!base.startsWith('iptables')) return tool;
  const v6 = join(dirname(tool.binary), base.replace(/^iptables/, 'ip6tables'));
  return iptablesTool(tool.binary.includes('/') ? v6 : basename(v6));
}

function onPath(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Where the iptables commands run: the current namespace, or a named one (`ip netns exec`). */
export interface IptablesTarget {
  readonly tool: IptablesTool;
  readonly netns?: string | undefined;
  /** Also intercept IPv6 (ip6tables). Removal always tries IPv6, failing only when this is set. */
  readonly ipv6?: boolean | undefined;
}

function inNetns(netns: string | undefined, file: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, file, ...args]] : [file, args];
}

async function save(tool: IptablesTool, netns: string | undefined, table?: string): Promise<string> {
  const [file, args] = inNetns(netns, tool.save, table ? ['-t', table] : []);
  return (await run(file, args)).stdout;
}

async function restore(target: IptablesTarget, input: string): Promise<void> {
  // --wait: iptables-legacy takes one xtables lock for every namespace on the machine, so
  // workloads starting side by side would otherwise fail instead of queueing.
  const [file, args] = inNetns(target.netns, target.tool.restore, ['--noflush', '--wait=10']);
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

/** `iptables-save -t nat` in the target namespace (IPv4 unless `family` says 6). */
export function readNat(target: IptablesTarget, family: 4 | 6 = 4): Promise<string> {
  return save(family === 6 ? ip6Tool(target.tool) : target.tool, target.netns, 'nat');
}

function families(target: IptablesTarget): IptablesTarget[] {
  const v6: IptablesTarget = { ...target, tool: ip6Tool(target.tool) };
  return target.ipv6 ? [target, v6] : [target];
}

/** Installs (or replaces) weft's rules; returns the restore input applied per family. */
export async function applyInterception(config: InterceptionConfig, target: IptablesTarget): Promise<string[]> {
  const applied: string[] = [];
  for (const t of families(target)) {
    const input = renderApply(config, weftState(await readNat(t)));
    await restore(t, input);
    applied.push(input);
  }
  return applied;
}

async function removeOne(target: IptablesTarget): Promise<boolean> {
  const input = renderRemoval(weftState(await readNat(target)));
  if (input === undefined) return false;
  await restore(target, input);
  return true;
}

/** Removes weft's chains and jumps, nothing else; false when there was nothing to remove. */
export async function removeInterception(target: IptablesTarget): Promise<boolean> {
  let removed = await removeOne(target);
  try {
    removed = (await removeOne({ ...target, tool: ip6Tool(target.tool) })) || removed;
  } catch (err) {
    // No ip6tables (or no IPv6 nat) here: nothing of weft's can be there either.
    if (target.ipv6) throw err;
  }
  return removed;
}
