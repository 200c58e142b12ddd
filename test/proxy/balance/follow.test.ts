import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { followResolution } from '../../../src/proxy/balance/follow.js';
import { HttpBalancer } from '../../../src/proxy/balance/http-balancer.js';
import { ManualClock } from '../../../src/proxy/balance/clock.js';
import type { Resolution } from '../../../src/proxy/discovery/client.js';
import type { DiscoveredEndpoint } from '../../../src/proxy/discovery/types.js';

test('balancer_follows_resolution_changes_until_stopped', () => {
  const source = Object.assign(new EventEmitter(), { endpoints: new Map([['a:1', { address: 'a:1' }]]) });
  const b = new HttpBalancer<{ address: string }>({ clock: new ManualClock(), rng: () => 0 });
  const stop = followResolution(source, b);
  assert.equal(b.size, 1);
  source.endpoints = new Map([['a:1', { address: 'a:1' }], ['b:1', { address: 'b:1' }]]);
  source.emit('change');
  assert.equal(b.size, 2);
  stop();
  source.endpoints = new Map();
  source.emit('change');
  assert.equal(b.size, 2);
});

// Compile-time check: a discovery Resolution plugs straight into an HttpBalancer.
export function _typecheck(r: Resolution): () => void {
  return followResolution(r, new HttpBalancer<DiscoveredEndpoint>());
}
