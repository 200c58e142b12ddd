// freePorts hands out ports it releases at once; within one process (the supervisor of a
// loopback mesh picks every proxy's ports) it must never hand the same port out twice before its
// owner could bind it. 200 calls of 4 random ports below the ephemeral range would draw some
// port twice many times over without the reservation (birthday bound: ~14 expected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePorts } from '../../../src/runtime/local/loopback.js';

test('freePorts never hands out a port twice within the reservation window', async () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    for (const p of await freePorts(4)) {
      assert.ok(!seen.has(p), `port ${p} handed out twice`);
      seen.add(p);
    }
  }
  assert.equal(seen.size, 800);
});
