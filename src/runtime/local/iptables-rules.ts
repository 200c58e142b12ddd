// The nat rules of transparent interception (Linkerd's proxy-init), as pure functions:
// configuration in, iptables-restore text out. Nothing here runs a process, so the exact rules
// are pinned by golden files; iptables.ts feeds the text to iptables-restore.
//
// Shape (own chains, one jump each from the built-in chains, so removal touches nothing else):
//   PREROUTING -> WEFT_PROXY_INIT_REDIRECT: skip admin/tap/skip ports, else REDIRECT to inbound
//   OUTPUT     -> WEFT_PROXY_INIT_OUTPUT:   skip the proxy's uid/gid, loopback and skip ports,
//                                           else REDIRECT to outbound
import { ConfigError } from '../../lib/errors.js';

export const REDIRECT_CHAIN = 'WEFT_PROXY_INIT_REDIRECT';
export const OUTPUT_CHAIN = 'WEFT_PROXY_INIT_OUTPUT';
export const WEFT_CHAINS = [REDIRECT_CHAIN, OUTPUT_CHAIN] as const;

export const DEFAULT_PROXY_UID = 2102;
export const DEFAULT_OUTBOUND_PORT = 4140;
export const DEFAULT_INBOUND_PORT = 4143;
export const DEFAULT_ADMIN_PORT = 4191;
export const DEFAULT_TAP_PORT = 4190;

/** A port or an inclusive range of ports. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface InterceptionConfig {
  /** Connections from this uid (the proxy's) are never redirected, or they would loop. */
  readonly proxyUid: number | undefined;
  /** Same, by gid; at least one of proxyUid/proxyGid is set. */
  readonly proxyGid: number | undefined;
  readonly outboundPort: number;
  readonly inboundPort: number;
  /** Inbound ports reaching the proxy itself (admin, tap): never redirected. */
  readonly proxyPorts: readonly number[];
  readonly skipInboundPorts: readonly PortRange[];
  readonly skipOutboundPorts: readonly PortRange[];
}

function checkPort(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${what}: invalid port ${n}`);
  return n;
}

function checkId(n: number | undefined, what: string): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new ConfigError(`${what}: invalid id ${n}`);
  return n;
}

/** Parses "25,443,8000-8100" (empty string: none). */
export function parsePortRanges(s: string, what = 'ports'): PortRange[] {
  const out: PortRange[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) throw new ConfigError(`${what}: invalid port or range "${part}"`);
    const from = checkPort(Number(m[1]), what);
    const to = checkPort(Number(m[2] ?? m[1]), what);
    if (to < from) throw new ConfigError(`${what}: range "${part}" runs backwards`);
    out.push({ from, to });
  }
  return out;
}

export interface InterceptionOptions {
  proxyUid?: number | undefined;
  proxyGid?: number | undefined;
  outboundPort?: number | undefined;
  inboundPort?: number | undefined;
  proxyPorts?: readonly number[] | undefined;
  skipInboundPorts?: readonly PortRange[] | undefined;
  skipOutboundPorts?: readonly PortRange[] | undefined;
}

/** Validates and fills defaults; the result is frozen. */
export function interceptionConfig(o: InterceptionOptions = {}): InterceptionConfig {
  let proxyUid = checkId(o.proxyUid, 'proxy uid');
  const proxyGid = checkId(o.proxyGid, 'proxy gid');
  if (proxyUid === undefined && proxyGid === undefined) proxyUid = DEFAULT_PROXY_UID;
  const ranges = (r: readonly PortRange[] | undefined, what: string): readonly PortRange[] =>
    Object.freeze((r ?? []).map((p) => Object.freeze({ from: checkPort(p.from, what), to: checkPort(p.to, what) })));
  return Object.freeze({
    proxyUid,
    proxyGid,
    outboundPort: checkPort(o.outboundPort ?? DEFAULT_OUTBOUND_PORT, 'outbound port'),
    inboundPort: checkPort(o.inboundPort ?? DEFAULT_INBOUND_PORT, 'inbound port'),
    proxyPorts: Object.freeze((o.proxyPorts ?? [DEFAULT_TAP_PORT, DEFAULT_ADMIN_PORT]).map((p) => checkPort(p, 'proxy port'))),
    skipInboundPorts: ranges(o.skipInboundPorts, 'skip inbound ports'),
    skipOutboundPorts: ranges(o.skipOutboundPorts, 'skip outbound ports'),
  });
}

// multiport takes at most 15 ports per rule, a range counting as two.
function multiportGroups(ranges: readonly PortRange[]): string[] {
  const groups: string[] = [];
  let cur: string[] = [];
  let weight = 0;
  for (const r of ranges) {
    const w = r.from === r.to ? 1 : 2;
    if (weight + w > 15) {
      groups.push(cur.join(','));
      cur = [];
      weight = 0;
    }
    cur.push(r.from === r.to ? String(r.from) : `${r.from}:${r.to}`);
    weight += w;
  }
  if (cur.length > 0) groups.push(cur.join(','));
  return groups;
}

const comment = (text: string): string => `-m comment --comment "weft/${text}"`;

/** The rule lines (iptables-restore syntax, table nat), chains' contents first, jumps last. */
export function interceptionRules(c: InterceptionConfig): string[] {
  const rules: string[] = [];
  const inboundSkips = [...c.proxyPorts.map((p) => ({ from: p, to: p })), ...c.skipInboundPorts];
  for (const ports of multiportGroups(inboundSkips)) {
    rules.push(`-A ${REDIRECT_CHAIN} -p tcp -m multiport --dports ${ports} ${comment(`ignore-inbound-ports-${ports}`)} -j RETURN`);
  }
  rules.push(`-A ${REDIRECT_CHAIN} -p tcp ${comment('redirect-all-incoming-to-proxy')} -j REDIRECT --to-ports ${c.inboundPort}`);

  if (c.proxyUid !== undefined) {
    rules.push(`-A ${OUTPUT_CHAIN} -m owner --uid-owner ${c.proxyUid} ${comment('ignore-proxy-uid')} -j RETURN`);
  }
  if (c.proxyGid !== undefined) {
    rules.push(`-A ${OUTPUT_CHAIN} -m owner --gid-owner ${c.proxyGid} ${comment('ignore-proxy-gid')} -j RETURN`);
  }
  // Loopback: the app's own local traffic and the inbound proxy's hop to the app.
  rules.push(`-A ${OUTPUT_CHAIN} -o lo ${comment('ignore-loopback')} -j RETURN`);
  for (const ports of multiportGroups(c.skipOutboundPorts)) {
    rules.push(`-A ${OUTPUT_CHAIN} -p tcp -m multiport --dports ${ports} ${comment(`ignore-outbound-ports-${ports}`)} -j RETURN`);
  }
  rules.push(`-A ${OUTPUT_CHAIN} -p tcp ${comment('redirect-all-outgoing-to-proxy')} -j REDIRECT --to-ports ${c.outboundPort}`);

  rules.push(`-A PREROUTING ${comment('install-proxy-init-prerouting')} -j ${REDIRECT_CHAIN}`);
  rules.push(`-A OUTPUT ${comment('install-proxy-init-output')} -j ${OUTPUT_CHAIN}`);
  return rules;
}

/** The full iptables-restore input for a namespace without weft's rules (`weft init --dry-run`). */
export function renderRules(c: InterceptionConfig): string {
  return ['*nat', ...WEFT_CHAINS.map((ch) => `:${ch} - [0:0]`), ...interceptionRules(c), 'COMMIT', ''].join('\n');
}

/** What `iptables-save -t nat` shows of weft: its chains and the rules that jump into them. */
export interface WeftState {
  readonly chains: readonly string[];
  /** Rules in built-in or foreign chains that jump to a weft chain, as "-A CHAIN ..." lines. */
  readonly jumps: readonly string[];
}

export function weftState(natSave: string): WeftState {
  const chains: string[] = [];
  const jumps: string[] = [];
  let inNat = false;
  for (const line of natSave.split('\n').map((l) => l.trim())) {
    if (line.startsWith('*')) inNat = line === '*nat';
    if (!inNat) continue;
    const decl = /^:(\S+)\s/.exec(line);
    if (decl && (WEFT_CHAINS as readonly string[]).includes(decl[1] as string)) chains.push(decl[1] as string);
    const rule = /^-A (\S+) .*-j (\S+)/.exec(line);
    if (rule && !(WEFT_CHAINS as readonly string[]).includes(rule[1] as string) && (WEFT_CHAINS as readonly string[]).includes(rule[2] as string)) {
      jumps.push(line);
    }
  }
  return { chains, jumps };
}

/** Restore input (for `--noflush`) that removes weft's jumps and chains; undefined if none. */
export function renderRemoval(state: WeftState): string | undefined {
  if (state.chains.length === 0 && state.jumps.length === 0) return undefined;
  return [
    '*nat',
    // Declaring a chain with --noflush flushes it, so its rules go before -X.
    ...state.chains.map((ch) => `:${ch} - [0:0]`),
    ...state.jumps.map((j) => j.replace(/^-A /, '-D ')),
    ...state.chains.map((ch) => `-X ${ch}`),
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * Restore input (for `--noflush`) that installs the rules over whatever weft left before:
 * old jumps are deleted and the chains flushed in the same transaction, so running it twice
 * leaves one set of rules and there is no moment without interception.
 */
export function renderApply(c: InterceptionConfig, state: WeftState): string {
  return [
    '*nat',
    ...WEFT_CHAINS.map((ch) => `:${ch} - [0:0]`),
    ...state.jumps.map((j) => j.replace(/^-A /, '-D ')),
    ...interceptionRules(c),
    'COMMIT',
    '',
  ].join('\n');
}
