// Runs categories in order and collects their results; checks never throw out of here.
import { errorCode } from '../../../lib/errors.js';
import type { CheckContext } from './context.js';
import type { Category, CategoryResult, CheckReport, CheckResult } from './types.js';
import { CheckFailure, CheckWarning } from './types.js';

export async function runChecks(categories: readonly Category[], ctx: CheckContext, onResult?: (category: string, r: CheckResult) => void): Promise<CheckReport> {
  const out: CategoryResult[] = [];
  let stopped: string | undefined;
  for (const cat of categories) {
    const results: CheckResult[] = [];
    for (const check of cat.checks) {
      let r: CheckResult;
      if (stopped) {
        r = { description: check.description, status: 'skipped', message: `skipped: ${stopped}` };
      } else {
        try {
          const note = await check.run(ctx);
          r = { description: check.description, status: 'success', ...(note ? { message: note } : {}) };
        } catch (err) {
          const warn = err instanceof CheckWarning;
          const hint = (err instanceof CheckFailure || err instanceof CheckWarning ? err.hint : undefined) ?? check.hint;
          const code = errorCode(err);
          const message = err instanceof Error ? err.message : String(err);
          r = { description: check.description, status: warn ? 'warning' : 'error', message: code.startsWith('WEFT_ERR_CHECK') || code === 'UNKNOWN' ? message : `${message} (${code})`, hint };
          if (!warn && cat.fatal) stopped = `"${check.description}" failed`;
        }
      }
      results.push(r);
      onResult?.(cat.name, r);
    }
    out.push({ name: cat.name, checks: results });
  }
  return { success: out.every((c) => c.checks.every((r) => r.status !== 'error')), categories: out };
}
