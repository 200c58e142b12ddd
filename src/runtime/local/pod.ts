// One "pod" of namespace mode: a network namespace on the bridge with its own address, weft's
// interception rules (as `weft init` would install them), the services' nat rules and an
// /etc/hosts naming the services (`ip netns exec` bind-mounts /etc/netns/<ns>/hosts over it).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';
import { applyInterception } from './iptables.js';
import type { IptablesTool } from './iptables.js';
import { DEFAULT_PROXY_UID, interceptionConfig } from './iptables-rules.js';
import { addVeth, createNamespace, deleteLink, deleteNamespace } from './netns.js';
import type { NetworkNames, PodPlan, ServicePlan } from './plan.js';
import { hostsFile, renderServiceRules } from './plan.js';

export const NETNS_ETC = '/etc/netns';

export function hostsPath(netns: string): string {
  return join(NETNS_ETC, netns, 'hosts');
}

export async function setupPod(pod: PodPlan, net: NetworkNames, services: readonly ServicePlan[], tool: IptablesTool, proxyUid = DEFAULT_PROXY_UID): Promise<void> {
  await createNamespace(pod.netns);
  await addVeth({ netns: pod.netns, hostIf: pod.hostIf, bridge: net.bridge, cidr: `${pod.ip}/${net.prefixLength}`, gateway: net.gateway });
  const w = pod.workload;
  if (w.inject) {
    await applyInterception(
      interceptionConfig({ proxyUid, skipInboundPorts: w.skipInboundPorts, skipOutboundPorts: w.skipOutboundPorts }),
      { tool, netns: pod.netns },
    );
  }
  await run('ip', ['netns', 'exec', pod.netns, tool.restore, '--noflush', '--wait=10'], { input: renderServiceRules(services) });
  await mkdir(join(NETNS_ETC, pod.netns), { recursive: true });
  await writeFile(hostsPath(pod.netns), hostsFile(pod, services));
}

/** Removes the namespace (its rules and veth end go with it), the host veth and the hosts file. */
export async function teardownPod(netns: string, hostIf: string | undefined): Promise<void> {
  await deleteNamespace(netns);
  if (hostIf) await deleteLink(hostIf);
  await rm(join(NETNS_ETC, netns), { recursive: true, force: true });
}
