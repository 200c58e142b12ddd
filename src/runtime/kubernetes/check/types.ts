// `weft check`'s vocabulary, as Linkerd's: categories of checks, each check a description, a
// hint that says how to fix it, and a run that passes, warns or fails. A failed check of a
// `fatal` category stops the categories after it (nothing else can be checked without the API,
// or without the control plane's namespace).
import { WeftError } from '../../../lib/errors.js';
import type { CheckContext } from './context.js';

export type CheckStatus = 'success' | 'warning' | 'error' | 'skipped';

/** A check found a problem; its message says what, the check's hint says how to fix it. */
export class CheckFailure extends WeftError {
  constructor(message: string, readonly hint?: string) {
    super('WEFT_ERR_CHECK_FAILED', message);
  }
}

/** A check found something to look at that does not break the mesh. */
export class CheckWarning extends WeftError {
  constructor(message: string, readonly hint?: string) {
    super('WEFT_ERR_CHECK_WARNING', message);
  }
}

export interface Check {
  readonly description: string;
  readonly hint: string;
  /** Resolves: success (optionally with a note); throws CheckFailure / CheckWarning; anything else is a failure. */
  run(ctx: CheckContext): Promise<string | void>;
}

export interface Category {
  readonly name: string;
  readonly checks: readonly Check[];
  /** A failure here skips the categories after it. */
  readonly fatal?: boolean;
}

export interface CheckResult {
  readonly description: string;
  readonly status: CheckStatus;
  /** What was found (error, warning) or noted (success). */
  readonly message?: string;
  readonly hint?: string;
}

export interface CategoryResult {
  readonly name: string;
  readonly checks: readonly CheckResult[];
}

export interface CheckReport {
  readonly success: boolean;
  readonly categories: readonly CategoryResult[];
}
