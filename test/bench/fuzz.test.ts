// The seeded fuzz pass CI runs (issue 10): 50,000 generated inputs per parser target, the same
// every run (fixed seed), with no finding, no input slower than 250 ms (a GC pause on a loaded machine is not a hang) and bounded heap growth.
// The long run is `node dist/bench/fuzz/run.js` (10 million per target).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTarget } from '../../bench/fuzz/runner.js';
import { TARGETS } from '../../bench/fuzz/targets.js';

for (const target of TARGETS) {
  test(`fuzz ${target.name}: 50k seeded inputs, no finding`, () => {
    const r = runTarget(target, { iterations: 50_000, seed: 20261203 });
    assert.equal(r.finding, undefined, r.finding ? `${r.finding.message}\ninput: ${r.finding.input.toString('hex')}` : '');
    assert.ok(r.slowestMs < 250, `slowest input took ${r.slowestMs} ms`);
    assert.ok(r.heapGrowthBytes < 4 << 20, `heap grew by ${r.heapGrowthBytes} bytes`);
  });
}
