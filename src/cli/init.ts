// `weft init`: installs transparent interception (iptables nat rules) in the current network
// namespace, like Linkerd's proxy-init. Thin: the rules come from runtime/local/iptables-rules.ts.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { WeftError } from '../lib/errors.js';
import type { PortRange } from '../runtime/local/iptables-rules.js';
import {
  DEFAULT_ADMIN_PORT,
  DEFAULT_INBOUND_PORT,
  DEFAULT_OUTBOUND_PORT,
  DEFAULT_PROXY_UID,
  DEFAULT_TAP_PORT,
  interceptionConfig,
  parsePortRanges,
  renderRemoval,
  renderRules,
  weftState,
} from '../runtime/local/iptables-rules.js';
import { applyInterception, detectIptables, iptablesTool, removeInterception } from '../runtime/local/iptables.js';

function int(what: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${what} must be a non-negative integer`);
    return Number(v);
  };
}

function ports(what: string): (v: string) => PortRange[] {
  return (v) => {
    try {
      return parsePortRanges(v, what);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

interface InitFlags {
  proxyUid?: number;
  proxyGid?: number;
  outboundPort: number;
  inboundPort: number;
  adminPort: number;
  tapPort: number;
  skipInboundPorts: PortRange[];
  skipOutboundPorts: PortRange[];
  iptablesBinary?: string;
  netns?: string;
  ipv6?: boolean;
  dryRun?: boolean;
  remove?: boolean;
}

async function init(flags: InitFlags): Promise<void> {
  const config = interceptionConfig({
    proxyUid: flags.proxyUid,
    proxyGid: flags.proxyGid,
    outboundPort: flags.outboundPort,
    inboundPort: flags.inboundPort,
    proxyPorts: [flags.tapPort, flags.adminPort],
    skipInboundPorts: flags.skipInboundPorts,
    skipOutboundPorts: flags.skipOutboundPorts,
  });
  if (flags.dryRun) {
    // What would be fed to `iptables-restore --noflush` in a namespace without weft's rules.
    const text = flags.remove ? renderRemoval(weftState(renderRules(config))) : renderRules(config);
    process.stdout.write(text ?? '');
    return;
  }
  const tool = flags.iptablesBinary ? iptablesTool(flags.iptablesBinary) : await detectIptables(flags.netns);
  const target = { tool, netns: flags.netns, ipv6: flags.ipv6 === true };
  if (flags.remove) {
    const removed = await removeInterception(target);
    console.log(removed ? `weft init: removed weft's rules (${tool.binary})` : 'weft init: no weft rules to remove');
    return;
  }
  await applyInterception(config, target);
  console.log(
    `weft init: outbound tcp -> :${config.outboundPort}, inbound tcp -> :${config.inboundPort} (${tool.binary}${target.ipv6 ? ', IPv4 and IPv6' : ', IPv4'})`,
  );
}

export function register(program: Command): void {
  program
    .command('init')
    .description('install transparent interception (iptables nat rules) in the current network namespace')
    .option('--proxy-uid <uid>', `uid of the proxy, whose traffic is not redirected (default ${DEFAULT_PROXY_UID} unless --proxy-gid)`, int('--proxy-uid'))
    .option('--proxy-gid <gid>', 'gid of the proxy, whose traffic is not redirected', int('--proxy-gid'))
    .option('--outbound-port <port>', 'proxy outbound port', int('--outbound-port'), DEFAULT_OUTBOUND_PORT)
    .option('--inbound-port <port>', 'proxy inbound port', int('--inbound-port'), DEFAULT_INBOUND_PORT)
    .option('--admin-port <port>', 'proxy admin port (never redirected)', int('--admin-port'), DEFAULT_ADMIN_PORT)
    .option('--tap-port <port>', 'proxy tap port (never redirected)', int('--tap-port'), DEFAULT_TAP_PORT)
    .option('--skip-inbound-ports <ports>', 'inbound ports not redirected, e.g. 22,8000-8100', ports('--skip-inbound-ports'), [])
    .option('--skip-outbound-ports <ports>', 'outbound ports not redirected, e.g. 25,443', ports('--skip-outbound-ports'), [])
    .option('--iptables-binary <path>', 'iptables-nft, iptables-legacy or a path (default: detected)')
    .option('--ipv6', 'also intercept IPv6 (the same rules with ip6tables)')
    .option('--netns <name>', 'apply inside this named network namespace (ip netns) instead of the current one')
    .option('--dry-run', 'print the iptables-restore input instead of applying it (no root needed)')
    .option('--remove', "remove weft's chains and jumps, leaving other rules untouched")
    .action(async (flags: InitFlags) => {
      try {
        await init(flags);
      } catch (err) {
        if (!(err instanceof WeftError)) throw err;
        console.error(`weft init: ${err.message} [${err.code}]`);
        process.exitCode = 1;
      }
    });
}
