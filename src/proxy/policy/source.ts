// Where the inbound stack gets a port's policy from, and how the proxy picks one at start: the
// policy API (client.ts, loaded only then: gRPC costs memory) or the configured default alone.
import type { Logger } from '../../lib/log.js';
import type { InboundPolicyConfig } from './config.js';
import { defaultPortPolicy } from './default-policy.js';
import type { PortPolicy } from './types.js';

export interface PolicySource {
  /** The port's policy now, or (first use, nothing known yet) a promise of it. */
  get(port: number): PortPolicy | Promise<PortPolicy>;
  close(): void;
}

/** A source that only ever has the default (no policy API configured). */
export function staticPolicy(p: PortPolicy): PolicySource {
  return { get: () => p, close: () => undefined };
}

/**
 * The proxy's policy source; undefined when authorization is off (no policy API and the
 * default allows everyone: the layers are then left out of the stack entirely).
 */
export async function inboundPolicySource(c: InboundPolicyConfig, log: Logger): Promise<PolicySource | undefined> {
  const dflt = defaultPortPolicy(c.defaultPolicy, c.clusterNetworks);
  if (!c.svcAddr) return c.defaultPolicy === 'all-unauthenticated' ? undefined : staticPolicy(dflt);
  const { PolicyClient } = await import('./client.js');
  const client = new PolicyClient({ address: c.svcAddr, workload: c.workload, defaultPolicy: dflt, initialWaitMs: c.initialWaitMs, log: log.child('policy') });
  for (const port of c.ports) client.watch(port);
  return client;
}
