// `weft demo`'s stats loop: a tick per interval until Ctrl-C, and no abort listener left behind
// per wait (the loop it replaced kept one per interval; Node 20 warned at the eleventh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { everyUntilAborted } from '../../src/cli/every-until-aborted.js';

test('ticks until aborted, and no wait leaves its abort listener on the signal', async () => {
  const ac = new AbortController();
  let ticks = 0;
  let most = 0;
  await everyUntilAborted(1, ac.signal, async () => {
    ticks++;
    most = Math.max(most, getEventListeners(ac.signal, 'abort').length);
    if (ticks === 20) ac.abort();
  });
  assert.equal(ticks, 20);
  assert.equal(most, 0, 'no wait left its listener on the signal');
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
});

test('an abort during a wait ends the loop at once, without another tick', async () => {
  const ac = new AbortController();
  let ticks = 0;
  const t0 = performance.now();
  setTimeout(() => ac.abort(), 50);
  await everyUntilAborted(60_000, ac.signal, async () => void ticks++);
  assert.equal(ticks, 0);
  assert.ok(performance.now() - t0 < 5_000);
});
