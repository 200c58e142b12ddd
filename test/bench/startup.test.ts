// The bench's start-to-ready rows (bench/startup.ts) on the proxy's runtime: a proxy with only an
// identity, and a meshed one (identity, discovery, inbound policy for its ports, tap) as the
// injector configures it, both reach /ready with a certificate, and the rows carry their figures.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtime } from '../../bench/runtimes.js';
import { measureStartup } from '../../bench/startup.js';
import { WEFT_ROOT } from '../../src/runtime/local/child-env.js';

it('start to ready: the identity-only and the meshed proxy both get ready', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rt = runtime('node24', () => {});
  const plain = await measureStartup(rt, WEFT_ROOT, dir, 1);
  const meshed = await measureStartup(rt, WEFT_ROOT, dir, 1, true);
  for (const row of [plain, meshed]) {
    assert.equal(row.note, undefined, `${row.runtime}: ${row.note}`);
    assert.ok((row.readyMs ?? 0) > 0 && (row.rssIdleMb ?? 0) > 0, JSON.stringify(row));
  }
  assert.deepEqual([plain.runtime, meshed.runtime], ['node24', 'node24 meshed']);
});
