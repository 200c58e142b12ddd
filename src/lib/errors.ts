// One catalogue of weft's error kinds. Each failure is a class with a stable `code`
// (tests match codes, not messages) and an optional `cause`. Boundaries (the proxy's HTTP
// rescue, the control plane's gRPC edge) map these codes to a status.

export class WeftError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad configuration (environment, flags, files): reported at start, never deep inside. */
export class ConfigError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_CONFIG', message, options);
  }
}

/** The proxy could not connect to (or lost) the upstream endpoint. */
export class UpstreamConnectError extends WeftError {
  constructor(target: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_UPSTREAM_CONNECT', `connect to ${target} failed`, options);
  }
}

/** No destination could be determined for an outbound connection or request. */
export class NoDestinationError extends WeftError {
  constructor(message = 'no destination for request') {
    super('WEFT_ERR_NO_DESTINATION', message);
  }
}

/** A request took longer than its timeout. */
export class TimeoutError extends WeftError {
  constructor(what: string, ms: number) {
    super('WEFT_ERR_TIMEOUT', `${what} timed out after ${ms} ms`);
  }
}

/** The request's header block exceeded the configured limit. */
export class HeaderTooLargeError extends WeftError {
  constructor(limit: number, fields?: number) {
    super('WEFT_ERR_HEADER_TOO_LARGE', fields === undefined ? `request header block exceeds ${limit} bytes` : `request has more than ${fields} header fields`);
  }
}

/** Returns the error's weft code, or the Node system error code, or 'UNKNOWN'. */
export function errorCode(err: unknown): string {
  if (err instanceof WeftError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return 'UNKNOWN';
}

/** Walks the `cause` chain and returns the first error of the given class. */
export function findCause<T extends Error>(err: unknown, cls: new (...args: never[]) => T): T | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 16 && cur; i++) {
    if (cur instanceof cls) return cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return undefined;
}
