// An Upgrade (WebSocket) request's route lookup, against a real destination server: it gets
// the destination's endpoints and identity, but neither deposits into the destination's retry
// budget nor arms the profile route's timeout — a tunnel is not a request that policy applies
// to. An ordinary request to the same route does both (the contrast makes the test able to fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Logger } from '../../../src/lib/log.js';
import { PLAINTEXT, type ConnContext } from '../../../src/proxy/context.js';
import { DiscoveryClient } from '../../../src/proxy/discovery/client.js';
import type { HttpRoute } from '../../../src/proxy/http/route.js';
import { ProxyMetrics } from '../../../src/proxy/metrics/registry.js';
import { OutboundDestinations } from '../../../src/proxy/outbound/destinations.js';
import { discoverRoute, discoverUpgrade } from '../../../src/proxy/outbound/discover-http.js';
import { profileYaml, serviceWithBackends, startTestControlPlane } from '../../helpers/destination.js';

test('an Upgrade request takes endpoints only: no retry budget deposit, no timeout timer', { timeout: 20_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  await cp.apply(serviceWithBackends('demo', 'web', [{ host: '127.0.0.1', port: 9 }])
    + profileYaml('demo', 'web', { routes: [{ name: 'all', method: 'GET', pathRegex: '/.*', timeout: '100ms', isRetryable: true }] }));
  const dests = new OutboundDestinations(new DiscoveryClient({ address: cp.addr, contextToken: '{"ns":"demo"}' }));
  t.after(() => dests.close());
  const ctx: ConnContext = { direction: 'outbound', target: undefined, tls: PLAINTEXT, log: new Logger('error') };
  const authority = 'web.demo.svc.cluster.local:80';
  const base = (): HttpRoute => ({ ctx, authority, target: { host: 'web.demo.svc.cluster.local', port: 80 }, path: '/ws', startMs: performance.now() });
  const dest = await dests.get(authority);
  assert.ok(dest?.profile, 'the profile is known');
  const budget = dest.budget.available();

  const upgrades = await Promise.all(Array.from({ length: 50 }, () => discoverUpgrade(dests, base())));
  for (const r of upgrades) {
    assert.equal(r.signal, undefined, 'no timeout armed');
    assert.equal(r.retry, undefined, 'never retried');
    assert.deepEqual(r.pick?.().target, { host: '127.0.0.1', port: 9 }, 'the endpoint from discovery');
  }
  assert.equal(dest.budget.available(), budget, 'no deposit');

  // The same route for ordinary requests: 50 deposits (at retryRatio 0.2, 10 more retries) and a timer.
  const metrics = new ProxyMetrics();
  const routed = await Promise.all(Array.from({ length: 50 }, () => discoverRoute(dests, metrics, base(), 'GET')));
  assert.equal(dest.budget.available(), budget + 10);
  const signal = routed[0]?.route.signal;
  assert.ok(signal, 'an ordinary request gets the route timeout');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(signal.aborted, true);
  for (const r of routed) r?.finish(200);
});
