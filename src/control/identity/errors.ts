// The identity service's failure kinds. Each maps to one gRPC status at the RPC edge
// (server.ts); nothing deeper knows about gRPC.
import { WeftError } from '../../lib/errors.js';

/** The request is malformed: bad identity string, unparsable CSR, bad signature, wrong key. */
export class CertifyInvalidError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_CERTIFY_INVALID', message, options);
  }
}

/** The token does not prove any identity (forged, expired, unknown kind). */
export class TokenInvalidError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_TOKEN_INVALID', message, options);
  }
}

/** The token is fine but proves a different identity than the one asked for (or in the CSR). */
export class CertifyDeniedError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_CERTIFY_DENIED', message);
  }
}

/** A CA key file is readable by group or others: refused at start. */
export class KeyPermissionError extends WeftError {
  constructor(path: string, mode: number) {
    super(
      'WEFT_ERR_KEY_PERMISSIONS',
      `private key ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}: it must not be readable by group or others (run: chmod 600 ${path})`,
    );
  }
}

/** The CA directory lacks a file it needs, or holds certificates that do not fit together. */
export class CaDirectoryError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_CA_DIRECTORY', message, options);
  }
}
