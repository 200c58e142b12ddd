// Post-quantum hybrid key exchange where the runtime can do it. X25519MLKEM768 needs OpenSSL
// 3.5 (Node 22.x/24 bundle it); Node 20's OpenSSL 3.0 rejects the group name. We find out once
// by building a throwaway context, then use the answer for every mesh SecureContext.
import type { TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';

export const PQ_HYBRID_GROUP = 'X25519MLKEM768';
export const CLASSIC_GROUP = 'X25519';

export interface KeyExchange {
  /** The `ecdhCurve` list for mesh contexts, preferred first. */
  readonly ecdhCurve: string;
  /** The group mesh handshakes will use with a peer of the same kind. */
  readonly preferredGroup: string;
  readonly postQuantum: boolean;
}

let cached: KeyExchange | undefined;

/** Probes (once) whether this runtime's OpenSSL knows the hybrid group. */
export function keyExchange(): KeyExchange {
  if (cached) return cached;
  const hybrid = `${PQ_HYBRID_GROUP}:${CLASSIC_GROUP}:P-256`;
  try {
    createSecureContext({ ecdhCurve: hybrid });
    cached = Object.freeze({ ecdhCurve: hybrid, preferredGroup: PQ_HYBRID_GROUP, postQuantum: true });
  } catch {
    cached = Object.freeze({ ecdhCurve: `${CLASSIC_GROUP}:P-256`, preferredGroup: CLASSIC_GROUP, postQuantum: false });
  }
  return cached;
}

/**
 * The group a client-side connection negotiated, as OpenSSL names it (e.g. "X25519"). Node
 * reports it on the client side only; on the server, and for groups Node cannot describe,
 * this is undefined.
 */
export function negotiatedGroup(sock: TLSSocket): string | undefined {
  const info = sock.getEphemeralKeyInfo() as { name?: string } | null;
  return info && typeof info === 'object' && info.name ? info.name : undefined;
}
