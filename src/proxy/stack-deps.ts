// What every listener stack is built from: parsed config, logger, metrics, and the
// original-destination source. Passed down explicitly; nothing reads globals.
import type { Socket } from 'node:net';
import type { Logger } from '../lib/log.js';
import type { ProxyConfig } from './config.js';
import type { ProxyMetrics } from './metrics/registry.js';
import type { OriginalDst } from './tcp/original-dst.js';
import type { MeshConnector } from './mesh/connector.js';
import type { MeshTlsAcceptor } from './tls/accept.js';
import type { OutboundDestinations } from './outbound/destinations.js';
import type { OutboundPolicyClient } from './outbound/policy-client.js';
import type { FaultGuard } from './guard.js';
import type { OwnPorts } from './own-ports.js';
import type { Taps } from './tap/taps.js';
import type { PolicySource } from './policy/source.js';
import type { Tracer } from './trace/tracer.js';

export interface StackDeps {
  readonly cfg: ProxyConfig;
  readonly log: Logger;
  readonly metrics: ProxyMetrics;
  readonly origDst: OriginalDst;
  /** Present when the proxy has an identity: outbound mTLS to meshed peers. */
  readonly mesh: MeshConnector | undefined;
  /** Present when the proxy has an identity: inbound mTLS termination. */
  readonly acceptor: MeshTlsAcceptor | undefined;
  /** This proxy's SPIFFE identity, when it has one. */
  readonly localIdentity: string | undefined;
  /** Service discovery for outbound traffic; absent: original destinations only. */
  readonly destinations: OutboundDestinations | undefined;
  /** Closes what a throwing handler was serving, counts it, keeps the proxy running. */
  readonly guard: FaultGuard;
  /** The proxy's own listening ports: inbound traffic is never sent to them. */
  readonly ownPorts: OwnPorts;
  /** Open taps: the tap layers emit events only while one is open. */
  readonly taps: Taps;
  /** Outbound routes (OutboundPolicies: HTTPRoute/GRPCRoute); absent: ServiceProfiles only. */
  readonly outboundPolicy?: OutboundPolicyClient | undefined;
  /** Inbound policy (the policy API's answers, else the default); absent: authorization off. */
  readonly inboundPolicy?: PolicySource | undefined;
  /** Present when tracing is on (a collector is configured). */
  readonly tracer?: Tracer | undefined;
}

/** A listener's connection handling, as built by a stack. */
export interface ConnectionStack {
  accept(socket: Socket): void;
  /** Graceful: stop keeping connections alive; resolves when they are closed or at the deadline. */
  drain(deadlineMs: number): Promise<void>;
  /** Open connections (for tests and the admin). */
  readonly openConnections: number;
}
