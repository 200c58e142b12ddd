import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer } from '../../../src/control/destination/server.js';
import type { RunningDestination } from '../../../src/control/destination/server.js';
import { DiscoveryClient } from '../../../src/proxy/discovery/client.js';
import { matchRoute, classifyResponse } from '../../../src/proxy/discovery/route-match.js';
import { PROFILE, WEB, slice } from '../../control/destination/fixtures.js';

/** The next 'change' event, or a rejection after 5 s (never hang the file). */
function changeOf(e: NodeJS.EventEmitter): Promise<unknown> {
  return once(e, 'change', { signal: AbortSignal.timeout(5000) });
}

const AUTH = 'web.shop.svc.cluster.local:80';
const FAST = { minMs: 20, maxMs: 200, jitter: 0.5 };

async function controlPlane(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-disc-'));
  const store = await LocalStore.open(dir, { follow: false });
  await store.apply(parseManifests(WEB, 'web.yaml'));
  let server: RunningDestination | undefined = await startDestinationServer(store, '127.0.0.1:0');
  const port = server.port;
  t.after(async () => {
    await server?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    store,
    port,
    apply: (y: string) => store.apply(parseManifests(y, 't.yaml')),
    stop: async () => { await server?.close(); server = undefined; },
    start: async () => { server = await startDestinationServer(store, `127.0.0.1:${port}`); },
  };
}

function client(t: { after(fn: () => void): void }, port: number, idleTimeoutMs = 60_000): DiscoveryClient {
  const c = new DiscoveryClient({ address: `127.0.0.1:${port}`, backoff: FAST, idleTimeoutMs, rng: () => 0.5 });
  t.after(() => c.close());
  return c;
}

test('resolve_shares_one_watch_and_follows_endpoint_changes', async (t) => {
  const cp = await controlPlane(t);
  const c = client(t, cp.port);
  const a = c.resolve(AUTH);
  const b = c.resolve(AUTH);
  await a.ready;
  assert.equal(a.state, 'resolved');
  assert.equal(a.fallback, false);
  assert.deepEqual([...a.endpoints.keys()].sort(), ['10.1.0.1:8080', '10.1.0.2:8080']);
  const e = a.endpoints.get('10.1.0.1:8080')!;
  assert.equal(e.identity, 'spiffe://cluster.local/ns/shop/sa/web');
  assert.equal(e.serverName, 'web.shop.serviceaccount.identity.weft.cluster.local');
  assert.equal(e.protocolHint, 'h2');
  assert.deepEqual(e.labels, { namespace: 'shop', service: 'web', pod: 'web-1', serviceaccount: 'web', zone: 'z1' });
  assert.deepEqual(c.watchCount, { endpoints: 1, profiles: 0 });
  assert.equal(c.debugWatch('endpoints', AUTH)?.references, 2);

  const changed = changeOf(b);
  await cp.apply(slice('web-b', ['10.1.0.3']));
  await changed;
  assert.ok(b.endpoints.has('10.1.0.3:8080'));
  a.release();
  b.release();
});

test('unknown_name_and_unreachable_control_plane_fall_back', async (t) => {
  const cp = await controlPlane(t);
  const c = client(t, cp.port);
  const r = c.resolve('nope.shop.svc.cluster.local:80');
  await r.ready;
  assert.equal(r.state, 'not-found');
  assert.equal(r.fallback, true);
  const p = c.profile('nope.shop.svc.cluster.local:80');
  await p.ready;
  assert.equal(p.state, 'not-found');
  assert.equal(p.profile, undefined);
  // A control plane that drops every connection (a freed port could be reused by another test).
  const refuser = net.createServer((sock) => sock.destroy());
  await new Promise<void>((res) => refuser.listen(0, '127.0.0.1', res));
  t.after(() => new Promise<void>((res) => refuser.close(() => res())));
  const d = client(t, (refuser.address() as net.AddressInfo).port).resolve(AUTH);
  await d.ready;
  assert.equal(d.state, 'unavailable');
  assert.equal(d.fallback, true);
  r.release();
  p.release();
  d.release();
});

test('keeps_last_endpoints_through_control_plane_restart_and_resubscribes', async (t) => {
  const cp = await controlPlane(t);
  const c = client(t, cp.port);
  const r = c.resolve(AUTH);
  await r.ready;
  assert.equal(r.endpoints.size, 2);
  await cp.stop();
  await new Promise((res) => setTimeout(res, 150));
  // Control plane gone: the cached answer is still served.
  assert.equal(r.state, 'resolved');
  assert.equal(r.endpoints.size, 2);
  // While it is down, endpoints change; on restart the first message replaces the cache.
  await cp.store.delete([{ kind: 'EndpointSlice', namespace: 'shop', name: 'web-a' }]);
  await cp.apply(slice('web-c', ['10.1.0.7']));
  const changed = changeOf(r);
  await cp.start();
  await changed;
  assert.deepEqual([...r.endpoints.keys()], ['10.1.0.7:8080']);
  assert.ok((c.debugWatch('endpoints', AUTH)?.subscriptions ?? 0) >= 2);
  r.release();
});

test('idle_watches_are_evicted_after_the_last_release', async (t) => {
  const cp = await controlPlane(t);
  const c = client(t, cp.port, 50);
  const r = c.resolve(AUTH);
  await r.ready;
  r.release();
  // A new lease within the idle period reuses the watch.
  const again = c.resolve(AUTH);
  assert.equal(c.debugWatch('endpoints', AUTH)?.subscriptions, 1);
  again.release();
  await new Promise((res) => setTimeout(res, 120));
  assert.deepEqual(c.watchCount, { endpoints: 0, profiles: 0 });
});

test('profile_routes_decode_and_match', async (t) => {
  const cp = await controlPlane(t);
  await cp.apply(PROFILE('300ms'));
  const c = client(t, cp.port);
  const p = c.profile(AUTH);
  await p.ready;
  const prof = p.profile!;
  assert.equal(prof.fullyQualifiedName, 'web.shop.svc.cluster.local');
  assert.deepEqual(prof.retryBudget, { retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 });
  assert.deepEqual(prof.dstOverrides, [{ authority: 'web-v2.shop.svc.cluster.local:80', weight: 250 }, { authority: 'web.shop.svc.cluster.local:80', weight: 750 }]);
  const route = matchRoute(prof.routes, { method: 'GET', path: '/items/3' });
  assert.equal(route?.name, 'GET /items');
  assert.equal(route?.timeoutMs, 300);
  assert.equal(matchRoute(prof.routes, { method: 'POST', path: '/items/3' }), undefined);
  assert.equal(matchRoute(prof.routes, { method: 'GET', path: '/itemsX' }), undefined);
  assert.equal(classifyResponse(route, 503), 'failure');
  assert.equal(classifyResponse(route, 404), 'success');
  const changed = changeOf(p);
  await cp.apply(PROFILE('1s'));
  await changed;
  assert.equal(p.profile?.routes[0]?.timeoutMs, 1000);
  const pod = c.profile('10.1.0.2:8080');
  await pod.ready;
  assert.equal(pod.profile?.endpoint?.address, '10.1.0.2:8080');
  p.release();
  pod.release();
});
