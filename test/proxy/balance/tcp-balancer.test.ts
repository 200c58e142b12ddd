import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpBalancer } from '../../../src/proxy/balance/tcp-balancer.js';
import { NoEndpointsError } from '../../../src/proxy/balance/p2c.js';
import { seededRng } from './sim.js';

test('p2c_by_open_connections_spreads_long_lived_connections', () => {
  const b = new TcpBalancer<{ address: string }>(seededRng(1));
  b.setEndpoints([{ address: 'a' }, { address: 'b' }, { address: 'c' }]);
  const leases = Array.from({ length: 300 }, () => b.pick());
  for (const a of ['a', 'b', 'c']) {
    const n = b.openConnections(a);
    assert.ok(n >= 90 && n <= 110, `${a}: ${n}`);
  }
  for (const l of leases.filter((l) => l.endpoint.address === 'a')) l.release();
  assert.equal(b.openConnections('a'), 0);
  // New connections now go to the idle endpoint.
  assert.equal(b.pick().endpoint.address, 'a');
  assert.throws(() => new TcpBalancer().pick(), NoEndpointsError);
});
