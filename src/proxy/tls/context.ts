// The SecureContext a meshed proxy uses on both sides: its key and certificate chain, the trust
// anchor as the only CA, TLS 1.3 only, and the key-exchange groups from key-exchange.ts.
// Built once per certificate and reused for every connection (building it per connection cost
// ~25% of the handshake rate in measurements).
import type { SecureContext } from 'node:tls';
import { createSecureContext } from 'node:tls';
import { keyExchange } from './key-exchange.js';

/** ALPN protocol naming weft's meshed transport (TLS between two proxies). */
export const MESH_ALPN = 'transport.weft.io/v1';

/** What the TLS pieces need from an identity: the current context. */
export interface TlsIdentity {
  secureContext(): SecureContext;
}

export interface MeshContextOptions {
  /** PKCS#8 PEM private key. */
  readonly keyPem: string;
  /** PEM leaf followed by its intermediates. */
  readonly certChainPem: string;
  /** PEM trust anchor(s). */
  readonly trustAnchorsPem: string;
}

export function createMeshSecureContext(opts: MeshContextOptions): SecureContext {
  return createSecureContext({
    key: opts.keyPem,
    cert: opts.certChainPem,
    ca: opts.trustAnchorsPem,
    minVersion: 'TLSv1.3',
    ecdhCurve: keyExchange().ecdhCurve,
  });
}

/** A fixed identity (tests, or a proxy given static certificates). */
export function staticTlsIdentity(opts: MeshContextOptions): TlsIdentity {
  const ctx = createMeshSecureContext(opts);
  return { secureContext: () => ctx };
}
