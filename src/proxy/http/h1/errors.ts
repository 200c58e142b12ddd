// The HTTP/1 engine's typed errors. A parse error names what was wrong with the message; the
// server answers it (431 / 505 / 400) and the client side turns it into a 502.
import { WeftError } from '../../../lib/errors.js';

export type H1ParseCode =
  | 'HEAD_TOO_LARGE'
  | 'TOO_MANY_HEADERS'
  | 'BAD_CHARACTER'
  | 'OBS_FOLD'
  | 'BAD_HEADER'
  | 'BAD_FRAMING'
  | 'BAD_VERSION'
  | 'BAD_REQUEST_LINE'
  | 'BAD_STATUS_LINE'
  | 'BAD_CHUNK';

/** A message the parser refused; `reason` says which rule it broke. */
export class H1ParseError extends WeftError {
  constructor(
    readonly reason: H1ParseCode,
    message: string,
  ) {
    super('WEFT_ERR_HTTP1_PARSE', message);
  }

  /** The status the server answers a request with this error. */
  get status(): number {
    if (this.reason === 'HEAD_TOO_LARGE' || this.reason === 'TOO_MANY_HEADERS') return 431;
    if (this.reason === 'BAD_VERSION') return 505;
    return 400;
  }
}

/** The upstream connection ended or failed before a whole response arrived. */
export class UpstreamClosedError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_UPSTREAM_CLOSED', message, options);
  }
}
