// The inbound policy settings of the proxy's environment, parsed once (config.ts calls this):
// where the policy API is, which workload this proxy is, and the default policy it applies
// before (or without) an answer.
import { ConfigError } from '../../lib/errors.js';
import { parseCidr } from '../../lib/cidr.js';
import type { Cidr } from '../../lib/cidr.js';
import { DEFAULT_CLUSTER_NETWORKS, DEFAULT_POLICY_NAMES } from './default-policy.js';
import type { DefaultPolicyName } from './default-policy.js';

export interface InboundPolicyConfig {
  /** host:port of the policy API (default: the destination service); absent (or no workload): defaults only. */
  readonly svcAddr: string | undefined;
  /** PortSpec.workload, `{"ns":"<ns>","pod":"<pod>"}`. */
  readonly workload: string;
  readonly defaultPolicy: DefaultPolicyName;
  readonly clusterNetworks: readonly Cidr[];
  /** How long a port's first request waits for the policy API before the default applies. */
  readonly initialWaitMs: number;
  /**
   * The workload's own ports (its containers' ports, as Linkerd's LINKERD2_PROXY_INBOUND_PORTS):
   * their policies are asked for at start, so a port's first connection does not wait for one.
   */
  readonly ports: readonly number[];
}

export const POLICY_DEFAULTS = { defaultPolicy: 'all-unauthenticated', initialWaitMs: 1000 } as const;

export interface PolicyEnvNames {
  readonly svcAddr: string;
  readonly workload: string;
  readonly defaultPolicy: string;
  readonly clusterNetworks: string;
  readonly initialWaitMs: string;
  readonly ports: string;
}

/** Enough for any pod's container ports; a port range by mistake would open a watch per port. */
export const MAX_INBOUND_PORTS = 100;

/**
 * WEFT_PROXY_INBOUND_PORTS for a workload's declared ports (the injector's and the local
 * runtime's), or undefined: none, or more than the proxy takes — then each port's policy is
 * asked for on its first connection, as without the variable, rather than a proxy that will not
 * start.
 */
export function inboundPortsValue(ports: Iterable<number>): string | undefined {
  const list = [...new Set(ports)].sort((a, b) => a - b);
  return list.length === 0 || list.length > MAX_INBOUND_PORTS ? undefined : list.join(',');
}

function portList(raw: string | undefined, name: string): number[] {
  const out = new Set<number>();
  for (const part of (raw ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const port = /^\d{1,5}$/.test(part) ? Number(part) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new ConfigError(`${name}: "${part}" is not a port`);
    out.add(port);
  }
  if (out.size > MAX_INBOUND_PORTS) throw new ConfigError(`${name}: ${out.size} ports; at most ${MAX_INBOUND_PORTS} (the workload's own ports, not a range)`);
  return [...out].sort((a, b) => a - b);
}

/** A workload from the destination context token when it names a pod ({"ns","pod"}). */
function workloadFromContext(ctx: string): string {
  try {
    const o = JSON.parse(ctx) as { ns?: unknown; pod?: unknown };
    return typeof o.ns === 'string' && typeof o.pod === 'string' ? JSON.stringify({ ns: o.ns, pod: o.pod }) : '';
  } catch {
    return '';
  }
}

export function parseInboundPolicy(env: Record<string, string | undefined>, n: PolicyEnvNames, destination: { svcAddr: string | undefined; context: string }): InboundPolicyConfig {
  const dflt = env[n.defaultPolicy] || POLICY_DEFAULTS.defaultPolicy;
  if (!(DEFAULT_POLICY_NAMES as readonly string[]).includes(dflt)) {
    throw new ConfigError(`${n.defaultPolicy}=${dflt}: expected one of ${DEFAULT_POLICY_NAMES.join(', ')}`);
  }
  const nets = (env[n.clusterNetworks] || DEFAULT_CLUSTER_NETWORKS).split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const c = parseCidr(s);
    if (!c) throw new ConfigError(`${n.clusterNetworks}: "${s}" is not a CIDR`);
    return c;
  });
  const waitRaw = env[n.initialWaitMs];
  const wait = waitRaw === undefined || waitRaw === '' ? POLICY_DEFAULTS.initialWaitMs : Number(waitRaw);
  if (!Number.isInteger(wait) || wait < 0) throw new ConfigError(`${n.initialWaitMs}=${waitRaw}: expected an integer >= 0`);
  const workload = env[n.workload] || workloadFromContext(destination.context);
  // Without a workload to ask about, the policy API cannot answer: defaults only.
  const svcAddr = workload ? env[n.svcAddr] || destination.svcAddr : undefined;
  const ports = Object.freeze(portList(env[n.ports], n.ports));
  return Object.freeze({ svcAddr, workload, defaultPolicy: dflt as DefaultPolicyName, clusterNetworks: Object.freeze(nets), initialWaitMs: wait, ports });
}
