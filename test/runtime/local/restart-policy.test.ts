import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBackoff } from '../../../src/runtime/local/restart-policy.js';

test('restart delays double from 200 ms up to the 30 s cap', () => {
  const b = new RestartBackoff({ random: () => 0.5 }); // no jitter at the midpoint
  const delays = Array.from({ length: 10 }, () => b.next(50));
  assert.deepEqual(delays, [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  assert.equal(b.consecutive, 10);
});

test('jitter spreads each delay by ±20% and never past the cap', () => {
  const low = new RestartBackoff({ random: () => 0 });
  const high = new RestartBackoff({ random: () => 0.999999 });
  assert.equal(low.next(0), 160);
  assert.equal(high.next(0), 240);
  for (let i = 0; i < 12; i++) high.next(0);
  assert.equal(high.next(0), 30000);
});

test('a run longer than the stable period starts the backoff over', () => {
  const b = new RestartBackoff({ random: () => 0.5, stableMs: 10_000 });
  b.next(100);
  b.next(100);
  assert.equal(b.next(100), 800);
  assert.equal(b.next(10_000), 200, 'ran 10 s: a fresh crash, not the fourth in a row');
  assert.equal(b.next(9_999), 400);
});
