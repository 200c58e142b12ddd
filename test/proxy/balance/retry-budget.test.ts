import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget, DEFAULT_RETRY_BUDGET } from '../../../src/proxy/balance/retry-budget.js';
import { ManualClock } from '../../../src/proxy/balance/clock.js';
import { ExpBackoff } from '../../../src/proxy/balance/exp-backoff.js';

test('retries_are_capped_at_the_ratio_of_requests_in_the_window', () => {
  const clock = new ManualClock(0);
  const b = new RetryBudget({ retryRatio: 0.2, minRetriesPerSecond: 0, ttlMs: 10_000 }, clock);
  for (let i = 0; i < 100; i++) b.deposit();
  let retries = 0;
  while (b.tryWithdraw()) retries++;
  assert.equal(retries, 20);
  // Once the requests slide out of the window, so does the budget they earned.
  clock.advance(10_001);
  assert.equal(b.tryWithdraw(), false);
  for (let i = 0; i < 10; i++) b.deposit();
  assert.equal(b.available(), 2);
});

test('min_retries_per_second_floor_and_linkerd_defaults', () => {
  const clock = new ManualClock(0);
  const b = new RetryBudget(DEFAULT_RETRY_BUDGET, clock);
  // No traffic yet: 10/s over a 10 s window.
  assert.equal(b.available(), 100);
  for (let i = 0; i < 1000; i++) b.deposit();
  assert.equal(b.available(), 300);
  let n = 0;
  while (b.tryWithdraw()) n++;
  assert.equal(n, 300);
  // Half the window later, the oldest buckets have not expired yet.
  clock.advance(5000);
  assert.equal(b.available(), 0);
  clock.advance(5001);
  assert.equal(b.available(), 100);
});

test('exp_backoff_doubles_to_the_cap_with_jitter', () => {
  const b = new ExpBackoff({ minMs: 1000, maxMs: 60_000, jitter: 0.5 }, () => 0);
  assert.deepEqual(Array.from({ length: 8 }, () => b.next()), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  const j = new ExpBackoff({ minMs: 1000, maxMs: 60_000, jitter: 0.5 }, () => 1);
  assert.equal(j.next(), 500);
  b.reset();
  assert.equal(b.next(), 1000);
});
