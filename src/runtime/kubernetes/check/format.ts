// `weft check` output: Linkerd's layout (a heading per category, ✔ / ‼ / × per check, a hint
// under each problem, a verdict at the end) or JSON (-o json).
import type { CategoryResult, CheckReport, CheckResult } from './types.js';

const MARK: Record<CheckResult['status'], string> = { success: '\u2714', warning: '\u203c', error: '\u00d7', skipped: '-' };

export function formatCategory(c: CategoryResult): string {
  const lines = [c.name, '-'.repeat(c.name.length)];
  for (const r of c.checks) {
    lines.push(`${MARK[r.status]} ${r.description}${r.status === 'success' && r.message ? ` (${r.message})` : ''}`);
    if (r.status === 'error' || r.status === 'warning') {
      if (r.message) lines.push(...r.message.split('\n').map((l) => `    ${l}`));
      if (r.hint) lines.push(`    hint: ${r.hint}`);
    } else if (r.status === 'skipped' && r.message) {
      lines.push(`    ${r.message}`);
    }
  }
  return lines.join('\n') + '\n\n';
}

export function formatVerdict(report: CheckReport): string {
  const warnings = report.categories.some((c) => c.checks.some((r) => r.status === 'warning'));
  return `Status check results are ${report.success ? (warnings ? MARK.warning : MARK.success) : MARK.error}\n`;
}

export function formatJson(report: CheckReport): string {
  return JSON.stringify({
    success: report.success,
    categories: report.categories.map((c) => ({
      categoryName: c.name,
      checks: c.checks.map((r) => ({ description: r.description, result: r.status, ...(r.message ? { error: r.message } : {}), ...(r.hint ? { hint: r.hint } : {}) })),
    })),
  }, null, 2) + '\n';
}
