// Errors of the demo application. The web frontend maps them to HTTP statuses in one place
// (web.ts `statusOf`).
import { WeftError } from '../../src/lib/errors.js';

/** An upstream HTTP service answered with an unexpected status or an unreadable body. */
export class DemoUpstreamError extends WeftError {
  constructor(
    readonly service: string,
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('WEFT_ERR_DEMO_UPSTREAM', `${service}: ${message}`, options);
  }
}

/** The requested item does not exist (catalog answered 404, or the id is malformed). */
export class DemoNotFoundError extends WeftError {
  constructor(what: string) {
    super('WEFT_ERR_DEMO_NOT_FOUND', `${what} not found`);
  }
}

/** An upstream call exceeded UPSTREAM_TIMEOUT_MS. */
export class DemoTimeoutError extends WeftError {
  constructor(service: string, ms: number) {
    super('WEFT_ERR_DEMO_TIMEOUT', `${service}: no answer within ${ms} ms`);
  }
}
