// Renewal timing and backoff as pure functions of time and randomness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, refreshDelay } from '../../../src/proxy/identity/schedule.js';

test('renew at 70% of the remaining lifetime, at least the skew before expiry', () => {
  const day = 24 * 3600_000;
  assert.equal(refreshDelay(day, 0), 0.7 * day);
  // 60 s left with 20 s skew: 70% would leave 18 s, so renew 20 s before the end.
  assert.equal(refreshDelay(60_000, 0, 20_000), 40_000);
  // Very short lifetimes: never earlier than half-way (no spinning).
  assert.equal(refreshDelay(2000, 0, 20_000), 1000);
  assert.equal(refreshDelay(2000, 0, 0), 1400);
  assert.equal(refreshDelay(1000, 5000), 0);
});

test('backoff doubles up to the cap, with jitter between half and all of the step', () => {
  const opts = { minMs: 100, maxMs: 1000 };
  assert.deepEqual([0, 1, 2, 3, 4, 40].map((a) => backoffDelay(a, opts, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(2, opts, () => 0), 200);
});
