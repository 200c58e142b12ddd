// The harness's own failure kinds (kept here, not in src/lib/errors.ts: bench is not product code).
import { WeftError } from '../src/lib/errors.js';

/** A load tool (wrk, h2load, the constant-rate generator) failed or printed something unparseable. */
export class BenchToolError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_BENCH_TOOL', message, options);
  }
}

/** A target (backend, proxy, peer) did not start or did not answer its sanity request. */
export class BenchTargetError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_BENCH_TARGET', message, options);
  }
}

/** Bad harness flags. */
export class BenchUsageError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_BENCH_USAGE', message);
  }
}
