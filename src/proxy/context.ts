// What the proxy knows about one accepted connection, decided once at accept time and read by
// every layer below (like linkerd2-proxy's targets): direction, where it is going, and what TLS
// said about the peer.
import type { Address } from '../lib/address.js';
import { formatAddress } from '../lib/address.js';
import type { Logger } from '../lib/log.js';
import type { HttpLabels, TcpLabels } from './metrics/registry.js';

export type Direction = 'inbound' | 'outbound';

export interface TlsStatus {
  /** "true" when the connection is mTLS between proxies, else "no_identity". */
  readonly tls: 'true' | 'no_identity';
  readonly noTlsReason: string;
  readonly clientId: string;
  readonly serverId: string;
}

export const PLAINTEXT: TlsStatus = Object.freeze({ tls: 'no_identity', noTlsReason: 'not_provided_by_remote', clientId: '', serverId: '' });

/** TLS status of a connection that is mTLS to (or from) a meshed peer. */
export function meshedTls(serverId: string, clientId = ''): TlsStatus {
  return { tls: 'true', noTlsReason: '', clientId, serverId };
}

export interface ConnContext {
  readonly direction: Direction;
  /** Where the connection was headed (outbound) or where the app listens (inbound). */
  readonly target: Address | undefined;
  readonly tls: TlsStatus;
  readonly log: Logger;
  /** Inbound: the client's IP address (authorization by network). */
  readonly peerIp?: string | undefined;
}

export function tcpLabels(ctx: ConnContext): TcpLabels {
  return {
    direction: ctx.direction,
    target_addr: ctx.target ? formatAddress(ctx.target) : '',
    tls: ctx.tls.tls,
    no_tls_reason: ctx.tls.noTlsReason,
    client_id: ctx.tls.clientId,
    server_id: ctx.tls.serverId,
  };
}

/** HTTP labels; `serverIdentity` (the meshed peer a request goes to) marks it as mTLS. */
export function httpLabels(ctx: ConnContext, authority: string, target: Address | undefined, serverIdentity?: string): HttpLabels {
  return {
    direction: ctx.direction,
    authority,
    target_addr: target ? formatAddress(target) : '',
    tls: serverIdentity ? 'true' : ctx.tls.tls,
    no_tls_reason: serverIdentity ? '' : ctx.tls.noTlsReason,
    client_id: ctx.tls.clientId,
    server_id: serverIdentity ?? ctx.tls.serverId,
  };
}
