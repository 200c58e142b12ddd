// Failure kinds of the proxy's identity client.
import { WeftError } from '../../lib/errors.js';

/** A meshed connection needs our certificate, but none has been obtained yet. */
export class IdentityNotReadyError extends WeftError {
  constructor() {
    super('WEFT_ERR_IDENTITY_NOT_READY', 'no identity certificate yet');
  }
}

/** Certify failed (transport error, refusal, or an answer that does not fit our request). */
export class CertifyFailedError extends WeftError {
  /** gRPC status code when the CA answered with one. */
  readonly grpcCode: number | undefined;
  constructor(message: string, options?: { cause?: unknown; grpcCode?: number }) {
    super('WEFT_ERR_CERTIFY_FAILED', message, options);
    this.grpcCode = options?.grpcCode;
  }
}
