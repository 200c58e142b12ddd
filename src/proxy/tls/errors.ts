// Failure kinds of meshed TLS. Tests and the proxy's rescue layer match the codes.
import { WeftError } from '../../lib/errors.js';

/** The peer's certificate chains to the anchor but names another identity than expected. */
export class IdentityMismatchError extends WeftError {
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super('WEFT_ERR_IDENTITY_MISMATCH', `peer identity is ${actual ?? '(none)'}, expected ${expected}`);
  }
}

/**
 * The TLS handshake failed or the peer's certificate was refused (untrusted, expired, ...).
 * `reason` is OpenSSL's verification code when there is one (e.g. CERT_HAS_EXPIRED).
 */
export class TlsHandshakeError extends WeftError {
  readonly reason: string | undefined;
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('WEFT_ERR_TLS_HANDSHAKE', message, options);
    this.reason = options?.reason;
  }
}

/** The meshed transport header was malformed, too large or too slow. */
export class TransportHeaderError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_TRANSPORT_HEADER', message, options);
  }
}

/** A client certificate that did not verify against the trust anchors; `reason` is OpenSSL's code. */
export class ClientCertRefusedError extends TlsHandshakeError {}
