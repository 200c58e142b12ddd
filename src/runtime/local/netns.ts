// Network-namespace plumbing for the local runtime, with iproute2's `ip` (no shell): one
// namespace per workload, a bridge in the root namespace, a veth pair from the bridge into each
// namespace with an address and a default route. Every name weft creates starts with one
// prefix, so cleanupAll(prefix) can tear down a crashed run without a record of what it made.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import { ConfigError } from '../../lib/errors.js';
import type { RunResult } from './exec.js';
import { CommandError, run } from './exec.js';

/** Prefix of every namespace and link the local runtime creates. */
export const WEFT_NETNS_PREFIX = 'weft';
export const DEFAULT_BRIDGE = 'weft0';
/** The bridge's address: gateway of the workloads' 10.77.0.0/24 (only ever on this machine). */
export const DEFAULT_BRIDGE_CIDR = '10.77.0.1/24';

// Linux interface names are at most 15 bytes; namespace names become file names.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

function checkName(name: string, what: string): string {
  if (!NAME.test(name)) throw new ConfigError(`invalid ${what} name "${name}": 1-15 of [A-Za-z0-9_.-]`);
  return name;
}

function ip(args: string[]): Promise<RunResult> {
  return run('ip', args);
}

/** True when `ip netns` works here (iproute2 installed, and we may create namespaces). */
export async function netnsSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not running as root' };
  try {
    await ip(['netns', 'list']);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `\`ip netns\` unavailable: ${(err as Error).message}` };
  }
}

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await ip(['-j', 'netns', 'list']);
  if (stdout.trim() === '') return [];
  return (JSON.parse(stdout) as { name: string }[]).map((n) => n.name);
}

export async function listLinks(): Promise<string[]> {
  const { stdout } = await ip(['-j', 'link', 'show']);
  if (stdout.trim() === '') return [];
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}

/** Creates a namespace with its loopback up. */
export async function createNamespace(name: string): Promise<void> {
  await ip(['netns', 'add', checkName(name, 'namespace')]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes a namespace (and the veth ends inside it); a missing one is not an error. */
export async function deleteNamespace(name: string): Promise<void> {
  try {
    await ip(['netns', 'del', checkName(name, 'namespace')]);
  } catch (err) {
    if (!(await listNamespaces()).includes(name)) return;
    throw err;
  }
}

/** Creates the bridge with its address(es) (the gateway), or leaves an existing one as it is. */
export async function ensureBridge(name = DEFAULT_BRIDGE, cidr = DEFAULT_BRIDGE_CIDR, cidr6?: string): Promise<void> {
  checkName(name, 'bridge');
  if ((await listLinks()).includes(name)) return;
  await ip(['link', 'add', name, 'type', 'bridge']);
  await ip(['addr', 'add', cidr, 'dev', name]);
  if (cidr6) await ip(['addr', 'add', cidr6, 'dev', name, 'nodad']);
  await ip(['link', 'set', name, 'up']);
}

/** Deletes a link (bridge or veth) in the root namespace; a missing one is not an error. */
export async function deleteLink(name: string): Promise<void> {
  try {
    await ip(['link', 'del', checkName(name, 'link')]);
  } catch (err) {
    // Gone already. A namespace's deletion takes its veth ends with it asynchronously (the
    // kernel's netns cleanup), so a link listed just after may vanish before its own delete:
    // "RTNETLINK answers: No such device".
    if (err instanceof CommandError && /Cannot find device|does not exist|No such device/i.test(err.stderr)) return;
    throw err;
  }
}

export interface VethOptions {
  readonly netns: string;
  /** The root-namespace end, enslaved to the bridge. */
  readonly hostIf: string;
  /** The end inside the namespace. */
  readonly nsIf?: string;
  readonly bridge: string;
  /** The namespace end's address, e.g. "10.77.0.2/24". */
  readonly cidr: string;
  /** Default route of the namespace (the bridge's address); none when omitted. */
  readonly gateway?: string;
  /** An IPv6 address for the namespace end too, e.g. "fd77::2/64". */
  readonly cidr6?: string;
  /** IPv6 default route. */
  readonly gateway6?: string;
}

/** Connects a namespace to a bridge with a veth pair, an address and a default route. */
export async function addVeth(o: VethOptions): Promise<void> {
  const nsIf = checkName(o.nsIf ?? 'eth0', 'interface');
  await ip(['link', 'add', checkName(o.hostIf, 'link'), 'type', 'veth', 'peer', 'name', nsIf, 'netns', checkName(o.netns, 'namespace')]);
  await ip(['link', 'set', o.hostIf, 'master', checkName(o.bridge, 'bridge')]);
  await ip(['link', 'set', o.hostIf, 'up']);
  await ip(['-n', o.netns, 'addr', 'add', o.cidr, 'dev', nsIf]);
  // nodad: the address is usable at once instead of after ~2 s of duplicate detection; these
  // addresses are ours alone.
  if (o.cidr6) await ip(['-n', o.netns, 'addr', 'add', o.cidr6, 'dev', nsIf, 'nodad']);
  await ip(['-n', o.netns, 'link', 'set', nsIf, 'up']);
  if (o.gateway) await ip(['-n', o.netns, 'route', 'add', 'default', 'via', o.gateway]);
  if (o.gateway6) await ip(['-n', o.netns, '-6', 'route', 'add', 'default', 'via', o.gateway6]);
}

export interface RunAs {
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
}

/** argv running `file args` inside the namespace, as uid/gid when given (setpriv, util-linux). */
export function netnsArgv(netns: string, file: string, args: readonly string[], as: RunAs = {}): [string, string[]] {
  const drop: string[] = [];
  if (as.uid !== undefined || as.gid !== undefined) {
    drop.push('setpriv');
    if (as.uid !== undefined) drop.push('--reuid', String(as.uid));
    if (as.gid !== undefined) drop.push('--regid', String(as.gid), '--clear-groups');
    drop.push('--');
  }
  return ['ip', ['netns', 'exec', checkName(netns, 'namespace'), ...drop, file, ...args]];
}

/** Runs a command to completion inside the namespace. */
export function execInNamespace(netns: string, file: string, args: readonly string[], as: RunAs = {}): Promise<RunResult> {
  const [f, a] = netnsArgv(netns, file, args, as);
  return run(f, a);
}

/** Starts a long-running process inside the namespace (the caller owns and stops it). */
export function spawnInNamespace(
  netns: string,
  file: string,
  args: readonly string[],
  as: RunAs = {},
  options: SpawnOptions = {},
): ChildProcess {
  const [f, a] = netnsArgv(netns, file, args, as);
  return spawn(f, a, options);
}

/**
 * Removes every namespace and root-namespace link whose name starts with `prefix` (`weft down`,
 * or after a crash). Namespaces go first: that destroys their veth ends, and with them the
 * host ends; what remains (bridges, stray veths) is deleted next.
 */
export async function cleanupAll(prefix = WEFT_NETNS_PREFIX): Promise<{ namespaces: string[]; links: string[] }> {
  if (prefix === '') throw new ConfigError('cleanupAll: empty prefix would remove everything');
  const namespaces = (await listNamespaces()).filter((n) => n.startsWith(prefix));
  for (const n of namespaces) await deleteNamespace(n);
  const links = (await listLinks()).filter((l) => l.startsWith(prefix));
  for (const l of links) await deleteLink(l);
  return { namespaces, links };
}
