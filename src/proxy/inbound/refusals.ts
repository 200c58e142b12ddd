// Inbound connections the proxy refused before anything reached the app, counted by reason in
// proxy_inbound_refused_total{reason}: the numbers to watch for attacks on the inbound port
// (docs/security.md). Registered from here so the shared metrics registry is not touched.
import { Counter } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import { TimeoutError, WeftError } from '../../lib/errors.js';
import { NO_CLIENT_CERT, NO_SPIFFE_IDENTITY } from '../tls/accept.js';
import { ClientCertRefusedError, TlsHandshakeError, TransportHeaderError } from '../tls/errors.js';

export type RefusalReason =
  /** Meshed TLS without a client certificate. */
  | 'no_client_cert'
  /** A client certificate that does not chain to the trust anchors (self-signed, other CA, expired). */
  | 'untrusted_client_cert'
  /** A trusted certificate without a SPIFFE URI. */
  | 'no_spiffe_identity'
  /** Any other handshake failure: TLS 1.2 or older, no shared group or cipher, garbage. */
  | 'tls_handshake'
  /** The handshake or the transport header did not complete within the detect timeout. */
  | 'timeout'
  | 'transport_header'
  /** The target was one of the proxy's own ports (admin, inbound, outbound, tap). */
  | 'own_port';

/** A connection the inbound side refused after its handshake (identity, target). */
export class InboundRefusedError extends WeftError {
  constructor(readonly reason: RefusalReason) {
    super('WEFT_ERR_INBOUND_REFUSED', `inbound connection refused: ${reason}`);
  }
}

/** The refusal reason of an error from the meshed accept path. */
export function refusalReason(err: unknown): RefusalReason {
  if (err instanceof InboundRefusedError) return err.reason;
  if (err instanceof TimeoutError) return 'timeout';
  if (err instanceof TransportHeaderError) return /within \d+ ms/.test(err.message) ? 'timeout' : 'transport_header';
  if (err instanceof ClientCertRefusedError) return 'untrusted_client_cert';
  if (err instanceof TlsHandshakeError && err.reason === NO_CLIENT_CERT) return 'no_client_cert';
  if (err instanceof TlsHandshakeError && err.reason === NO_SPIFFE_IDENTITY) return 'no_spiffe_identity';
  return 'tls_handshake';
}

export class InboundRefusals {
  private readonly counter: Counter;
  constructor(metrics: ProxyMetrics) {
    this.counter = metrics.register(new Counter('proxy_inbound_refused_total', 'Inbound connections refused before reaching the app, by reason', ['reason']));
  }
  refused(reason: RefusalReason): void {
    this.counter.inc({ reason });
  }
}
