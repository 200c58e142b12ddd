// Golden files: expected output kept in the source tree beside the test (tests run compiled
// from dist/, so paths are resolved to the repository's test/). WEFT_UPDATE_GOLDEN=1 rewrites
// them after an intended change; review the diff before committing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is compiled to dist/test/helpers/). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function assertGolden(relPath: string, actual: string): void {
  const file = join(repoRoot, relPath);
  if (process.env.WEFT_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  assert.ok(existsSync(file), `${relPath} does not exist (run with WEFT_UPDATE_GOLDEN=1 to create it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${relPath} differs (WEFT_UPDATE_GOLDEN=1 to refresh, then review the diff)`);
}
