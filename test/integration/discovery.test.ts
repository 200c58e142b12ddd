// The proxy's outbound discovery end to end: real backends on 127.0.0.1, a real destination
// server over a LocalStore, a real proxy in explicit-proxy mode (clients send proxy-form
// requests for web.demo.svc.cluster.local). Balancing, retries within the budget, route
// timeouts, traffic split, endpoint churn, control-plane restarts and the fallback for unknown
// names, each measured from both sides (what the client saw, what each backend received).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import http2 from 'node:http2';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { background, client, counted, failures, load, sleep, until, type After, type Reply } from '../helpers/http-load.js';
import { metricValue } from '../helpers/proxy.js';
import { h2Backend } from '../helpers/servers.js';
import {
  profileYaml, serviceWithBackends, sliceKey, sliceYaml, controlPlaneFor, meshProxyFor, type TestControlPlane,
} from '../helpers/destination.js';

const NS = 'demo';
const WEB = `web.${NS}.svc.cluster.local:80`;

const controlPlane = controlPlaneFor;
const meshProxy = (t: After, cp: TestControlPlane, env: Record<string, string> = {}): Promise<ProxyHandle> => meshProxyFor(t, cp, NS, env);

test('p2c_peak_ewma_sends_little_to_a_slow_endpoint', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const fast1 = await counted(t, 'fast1');
  const fast2 = await counted(t, 'fast2');
  const slow = await counted(t, 'slow', { delayMs: 50 });
  await cp.apply(serviceWithBackends(NS, 'web', [fast1.addr, fast2.addr, slow.addr]));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);

  // Warm-up: every endpoint gets a latency estimate.
  assert.deepEqual(failures(await load(60, 6, () => get(WEB))), []);
  assert.ok(slow.hits > 0, 'the slow endpoint was tried during warm-up');
  for (const b of [fast1, fast2, slow]) b.hits = 0;

  const n = 400;
  const out = await load(n, 4, () => get(WEB));
  assert.deepEqual(failures(out), []);
  const share = slow.hits / n;
  t.diagnostic(`slow endpoint share ${(share * 100).toFixed(1)}% (fast1 ${fast1.hits}, fast2 ${fast2.hits}, slow ${slow.hits} of ${n})`);
  assert.equal(fast1.hits + fast2.hits + slow.hits, n);
  assert.ok(share < 0.15, `slow endpoint got ${(share * 100).toFixed(1)}% of requests`);
  assert.ok(fast1.hits > n * 0.25 && fast2.hits > n * 0.25, 'both fast endpoints share the load');
});

test('retryable_route_recovers_5xx_within_budget_and_route_metrics_count_it', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  // Every 4th request fails: a retry (the next hit) succeeds.
  const flaky = await counted(t, 'flaky', { status: (_p, n) => (n % 4 === 0 ? 500 : 200) });
  await cp.apply(serviceWithBackends(NS, 'web', [flaky.addr]) + profileYaml(NS, 'web', {
    routes: [
      { name: 'GET /items', pathRegex: '/items(/.*)?', isRetryable: true },
      { name: 'GET /once', pathRegex: '/once', isRetryable: false },
    ],
  }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);

  const n = 200;
  const out = await load(n, 4, (i) => get(WEB, `/items/${i}`));
  const failed = failures(out);
  t.diagnostic(`retryable route: ${n - failed.length}/${n} succeeded, backend hits ${flaky.hits}`);
  assert.ok(failed.length <= n * 0.02, `failed: ${failed.slice(0, 5).join('; ')}`);
  assert.ok(flaky.hits > n, 'failures were retried');
  assert.ok(flaky.hits <= n * 1.2 + 100, `hits ${flaky.hits} within the budget`);
  const dst = `web.${NS}.svc.cluster.local`;
  assert.equal(await metricValue(proxy, 'route_response_total', { rt_route: 'GET /items', dst, classification: 'success' }), n - failed.length);

  // The same failures on a route that is not retryable reach the client.
  const once = await load(40, 4, () => get(WEB, '/once'));
  const onceFailed = once.filter((r) => !(r instanceof Error) && r.status === 500).length;
  assert.ok(onceFailed >= 5, `non-retryable route passes 5xx through (${onceFailed} of 40)`);
  assert.equal(await metricValue(proxy, 'route_response_total', { rt_route: 'GET /once', classification: 'failure' }), onceFailed);
});

test('a_failing_route_adds_no_more_load_than_the_retry_budget', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  // /fail always fails and /ok always succeeds: alternating them keeps the endpoint from being
  // ejected by failure accrual (7 consecutive failures), so only the budget limits retries.
  const backend = await counted(t, 'b', { status: (p) => (p === '/fail' ? 503 : 200) });
  await cp.apply(serviceWithBackends(NS, 'web', [backend.addr]) + profileYaml(NS, 'web', {
    routes: [{ name: 'all', pathRegex: '/.*', isRetryable: true }],
  }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy, 1);

  // Linkerd's default budget: retryRatio 0.2, minRetriesPerSecond 10, ttl 10 s (the test is
  // shorter than the window, so the whole run is one window).
  const n = 800;
  const start = Date.now();
  const out = await load(n, 1, (i) => get(WEB, i % 2 === 0 ? '/fail' : '/ok'));
  const elapsed = Date.now() - start;
  const bound = n * (1 + 0.2) + 10 * 10;
  const failHits = backend.byPath.get('/fail') ?? 0;
  t.diagnostic(`${n} requests in ${elapsed} ms: backend hits ${backend.hits} (x${(backend.hits / n).toFixed(3)}), /fail hits ${failHits} for ${n / 2} requests, bound ${bound}`);
  assert.ok(elapsed < 10_000, 'ran inside one budget window');
  assert.equal(out.filter((r) => r instanceof Error).length, 0);
  assert.equal(backend.byPath.get('/ok'), n / 2, 'successes are never retried');
  assert.ok(backend.hits <= bound, `hits ${backend.hits} > ${bound}`);
  assert.ok(failHits >= n / 2 + 100, 'the budget was used (at least its 100-retry reserve)');
  assert.ok(failHits < n, 'failing requests were not all retried: the budget ran out');

  // Every request failing: accrual and budget together keep the load bounded.
  backend.hits = 0;
  const all = await load(300, 8, () => get(WEB, '/fail'));
  t.diagnostic(`all failing: ${backend.hits} hits for 300 requests (x${(backend.hits / 300).toFixed(3)})`);
  assert.equal(all.filter((r) => r instanceof Error).length, 0);
  assert.ok(backend.hits <= 300 * 1.2 + 100);
});

test('route_timeout_answers_504_with_proxy_error_and_does_not_hang', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const slowPath = await counted(t, 'b', { delayMs: 0 });
  const sleepy = await counted(t, 'sleepy', { delayMs: 3000 });
  await cp.apply(serviceWithBackends(NS, 'web', [slowPath.addr]) + serviceWithBackends(NS, 'sleepy', [sleepy.addr]) + profileYaml(NS, 'sleepy', {
    routes: [{ name: 'GET /slow', pathRegex: '/slow', timeout: '200ms', isRetryable: true }],
  }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);

  const r = await get(`sleepy.${NS}.svc.cluster.local:80`, '/slow');
  t.diagnostic(`timeout answered in ${r.ms.toFixed(0)} ms`);
  assert.equal(r.status, 504);
  assert.match(String(r.headers['weft-proxy-error']), /timeout/);
  assert.ok(r.ms >= 190 && r.ms < 1500, `answered after ${r.ms} ms`);
  // A route without a timeout on another service is unaffected; the proxy still serves.
  assert.equal((await get(WEB, '/x')).status, 200);
  assert.equal(await metricValue(proxy, 'route_response_total', { rt_route: 'GET /slow', status_code: '504' }), 1);
});

test('traffic_split_90_10_lands_within_tolerance', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const v1 = await counted(t, 'v1');
  const v2 = await counted(t, 'v2');
  await cp.apply(serviceWithBackends(NS, 'web', [v1.addr]) + serviceWithBackends(NS, 'web-v2', [v2.addr]) + profileYaml(NS, 'web', {
    dstOverrides: [
      { authority: WEB, weight: '900m' },
      { authority: `web-v2.${NS}.svc.cluster.local:80`, weight: '100m' },
    ],
  }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);

  const n = 1000;
  const out = await load(n, 8, () => get(WEB));
  assert.deepEqual(failures(out), []);
  const share = v2.hits / n;
  // Binomial(1000, 0.1): sd ~0.95 points; +-3.5 points is over 3.5 sd.
  t.diagnostic(`split: v2 share ${(share * 100).toFixed(1)}% (v1 ${v1.hits}, v2 ${v2.hits})`);
  assert.equal(v1.hits + v2.hits, n);
  assert.ok(Math.abs(share - 0.1) <= 0.035, `v2 got ${(share * 100).toFixed(1)}%`);
});

test('endpoints_added_and_removed_under_load_lose_no_request', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const a = await counted(t, 'a');
  const b = await counted(t, 'b');
  const c = await counted(t, 'c');
  await cp.apply(serviceWithBackends(NS, 'web', [a.addr, b.addr]));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  assert.equal((await get(WEB)).status, 200);

  const run = background(4, () => get(WEB));
  await sleep(300);
  await cp.apply(sliceYaml(NS, 'web', 'web-c', c.addr));
  await until('traffic to the added endpoint', () => c.hits > 20);
  // Remove a: once the proxy has dropped it, a shuts down as a terminating pod would.
  await cp.commit({ delete: [sliceKey(NS, 'web-0')] });
  let last = a.hits;
  await until('no traffic to the removed endpoint', async () => {
    await sleep(200);
    const quiet = a.hits === last;
    last = a.hits;
    return quiet;
  });
  await a.close();
  const aHits = a.hits;
  const bBefore = b.hits;
  await sleep(500);
  const out = await run.stop();
  t.diagnostic(`${out.length} requests: a ${a.hits}, b ${b.hits}, c ${c.hits}`);
  assert.deepEqual(failures(out), []);
  assert.equal(a.hits, aHits);
  assert.ok(b.hits > bBefore && c.hits > 20);
});

test('control_plane_restart_under_load_fails_no_request', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const a = await counted(t, 'a');
  const b = await counted(t, 'b');
  const c = await counted(t, 'c');
  await cp.apply(serviceWithBackends(NS, 'web', [a.addr, b.addr]));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  assert.equal((await get(WEB)).status, 200);

  const run = background(4, () => get(WEB));
  await sleep(200);
  await cp.stop();
  const during = run.sent;
  await sleep(1000);
  assert.ok(run.sent > during + 50, 'requests kept flowing without the control plane');
  await cp.start();
  // After the restart the proxy re-subscribes: a change made now reaches it.
  await cp.apply(sliceYaml(NS, 'web', 'web-c', c.addr));
  await until('traffic to an endpoint added after the restart', () => c.hits > 10, 8000);
  const out = await run.stop();
  t.diagnostic(`${out.length} requests across the restart: a ${a.hits}, b ${b.hits}, c ${c.hits}`);
  assert.deepEqual(failures(out), []);
});

test('unknown_names_fall_back_to_the_original_destination', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const known = await counted(t, 'known');
  const direct = await counted(t, 'direct');
  // On 127.0.0.2: an IP no slice holds (every endpoint here is 127.0.0.1, which discovery would
  // answer for as a pod IP).
  const other = await counted(t, 'other', { host: '127.0.0.2' });
  await cp.apply(serviceWithBackends(NS, 'web', [known.addr]));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);

  // A name the destination service does not know, and an IP that is no pod's nor service's.
  const byName = await get(`localhost:${direct.addr.port}`, '/direct');
  assert.equal(byName.status, 200);
  assert.equal(byName.body, 'direct');
  const byIp = await get(`127.0.0.2:${other.addr.port}`, '/direct');
  assert.equal(byIp.status, 200);
  assert.equal(byIp.body, 'other');
  assert.equal((await get(WEB)).body, 'known');

  // Transparent-style: the original destination is unknown to discovery; Host says nothing.
  const viaDst = await meshProxy(t, cp, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.2:${other.addr.port}` });
  const r = await client(t, viaDst, 1, true)(`nothing.${NS}.svc.cluster.local`, '/x');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'other');
  assert.deepEqual([direct.hits, other.hits, known.hits], [1, 2, 1]);
});

test('an_original_destination_cluster_ip_resolves_to_its_service_endpoints_and_routes', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const a = await counted(t, 'a');
  const b = await counted(t, 'b');
  const slow = await counted(t, 'slow', { delayMs: 2000 });
  // The cluster IP is only a name here: nothing listens on it, the proxy sends to endpoints.
  await cp.apply(serviceWithBackends(NS, 'web', [a.addr, b.addr], 80, '10.96.0.50') + serviceWithBackends(NS, 'sleepy', [slow.addr], 80, '10.96.0.51')
    + profileYaml(NS, 'sleepy', { routes: [{ name: 'GET /slow', pathRegex: '/slow', timeout: '150ms' }] }));
  const web = await meshProxy(t, cp, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: '10.96.0.50:80' });
  const get = client(t, web, 4, true);
  const out = await load(100, 4, () => get('anything', '/'));
  assert.deepEqual(failures(out), []);
  assert.equal(a.hits + b.hits, 100);
  assert.ok(a.hits > 20 && b.hits > 20, `a ${a.hits}, b ${b.hits}`);

  const sleepy = await meshProxy(t, cp, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: '10.96.0.51:80' });
  const r = await client(t, sleepy, 1, true)('anything', '/slow');
  assert.equal(r.status, 504);
  assert.ok(r.ms < 1500);
  assert.equal(await metricValue(sleepy, 'route_response_total', { dst: `sleepy.${NS}.svc.cluster.local`, rt_route: 'GET /slow', status_code: '504' }), 1);
});

test('a_split_added_to_the_profile_under_load_loses_no_request', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const v1 = await counted(t, 'v1');
  const v2 = await counted(t, 'v2');
  await cp.apply(serviceWithBackends(NS, 'web', [v1.addr]) + serviceWithBackends(NS, 'web-v2', [v2.addr]));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  assert.equal((await get(WEB)).body, 'v1');

  const run = background(4, () => get(WEB));
  await sleep(200);
  await cp.apply(profileYaml(NS, 'web', { dstOverrides: [{ authority: WEB, weight: '500m' }, { authority: `web-v2.${NS}.svc.cluster.local:80`, weight: '500m' }] }));
  await until('traffic to the new split backend', () => v2.hits > 50);
  // And back: the split removed, v2 gets nothing more.
  await cp.apply(profileYaml(NS, 'web', {}));
  let last = v2.hits;
  await until('no traffic to the dropped split backend', async () => {
    await sleep(200);
    const quiet = v2.hits === last;
    last = v2.hits;
    return quiet;
  });
  const out = await run.stop();
  t.diagnostic(`${out.length} requests: v1 ${v1.hits}, v2 ${v2.hits}`);
  assert.deepEqual(failures(out), []);
});

test('balancer_gauge_shows_ready_endpoints_and_request_total_labels', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const bs = [await counted(t, 'a'), await counted(t, 'b'), await counted(t, 'c')];
  await cp.apply(serviceWithBackends(NS, 'web', bs.map((b) => b.addr)));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  assert.deepEqual(failures(await load(10, 2, () => get(WEB))), []);

  assert.equal(await metricValue(proxy, 'outbound_http_balancer_endpoints', { endpoint_state: 'ready' }), 3);
  assert.equal(await metricValue(proxy, 'outbound_http_balancer_endpoints', { endpoint_state: 'pending' }), 0);
  // Per destination and backend: the service's FQDN, and the key it was looked up by.
  assert.equal(await metricValue(proxy, 'outbound_http_balancer_endpoints', { dst: `web.${NS}.svc.cluster.local`, backend: WEB, endpoint_state: 'ready' }), 3);
  assert.equal(await metricValue(proxy, 'outbound_http_balancer_endpoints', { dst: `other.${NS}.svc.cluster.local`, endpoint_state: 'ready' }), 0);
  assert.equal(await metricValue(proxy, 'request_total', { direction: 'outbound', authority: WEB }), 10);
  assert.equal(await metricValue(proxy, 'response_total', { direction: 'outbound', authority: WEB, status_code: '200', classification: 'success' }), 10);

  // A removed endpoint leaves the gauge.
  await cp.commit({ delete: [sliceKey(NS, 'web-2')] });
  await until('gauge at 2 ready', async () => (await metricValue(proxy, 'outbound_http_balancer_endpoints', { endpoint_state: 'ready' })) === 2);
});

test('h2_requests_are_balanced_and_time_out_per_route', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const hits = new Map<string, number>();
  const h2 = async (name: string, delayMs: number) => {
    const b = await h2Backend((s, h) => {
      hits.set(name, (hits.get(name) ?? 0) + 1);
      const answer = (): void => {
        if (s.destroyed) return;
        s.respond({ ':status': 200 });
        s.end(`${name} ${String(h[':path'])}`);
      };
      if (delayMs) setTimeout(answer, delayMs);
      else answer();
    });
    t.after(() => b.close());
    return b;
  };
  const a = await h2('a', 0);
  const b = await h2('b', 0);
  const slow = await h2('slow', 3000);
  await cp.apply(serviceWithBackends(NS, 'web', [a.addr, b.addr]) + serviceWithBackends(NS, 'sleepy', [slow.addr])
    + profileYaml(NS, 'sleepy', { routes: [{ name: 'GET /slow', pathRegex: '/slow', timeout: '150ms' }] }));
  const proxy = await meshProxy(t, cp);
  const session = http2.connect(`http://${proxy.outbound.host}:${proxy.outbound.port}`);
  t.after(() => void session.close());
  const get = (authority: string, path: string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const s = session.request({ ':method': 'GET', ':path': path, ':authority': authority });
      let headers: http.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      s.on('response', (h) => (headers = h as http.IncomingHttpHeaders));
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - start }));
      s.on('error', reject);
      s.end();
    });

  assert.deepEqual(failures(await load(100, 8, () => get(WEB, '/x'))), []);
  t.diagnostic(`h2: a ${hits.get('a')}, b ${hits.get('b')}`);
  assert.ok((hits.get('a') ?? 0) > 20 && (hits.get('b') ?? 0) > 20);
  const r = await get(`sleepy.${NS}.svc.cluster.local:80`, '/slow');
  assert.equal(r.status, 504);
  assert.match(String(r.headers['weft-proxy-error']), /timeout/);
  assert.ok(r.ms < 1500, `answered after ${r.ms} ms`);
});

test('an_endpoint_that_dies_before_discovery_removes_it_costs_few_requests', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const bs = [await counted(t, 'a'), await counted(t, 'b'), await counted(t, 'c')];
  await cp.apply(serviceWithBackends(NS, 'web', bs.map((b) => b.addr)));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy, 4);
  assert.deepEqual(failures(await load(30, 4, () => get(WEB))), []);

  // b crashes: connections are refused while discovery still lists it (no profile, no retries).
  // A refused connect is resent to another pick; but a fast failure gives b the lowest
  // latency estimate, so P2C keeps choosing it until failure accrual ejects it (7 failed
  // attempts, two per failed request, plus those in flight): a few requests fail. Zero would
  // need the balancer to treat a connect failure as "not ready" (as Linkerd's does).
  const out = await load(300, 4, () => get(WEB));
  const failed = failures(out);
  t.diagnostic(`after the crash: ${failed.length} failed of 300: ${failed.slice(0, 2).join(' | ')}`);
  assert.ok(failed.length <= 5, `${failed.length} failed`);
});

test('retries_route_around_a_failing_endpoint_until_accrual_ejects_it', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const good = await counted(t, 'good');
  const bad = await counted(t, 'bad', { status: () => 500 });
  await cp.apply(serviceWithBackends(NS, 'web', [good.addr, bad.addr]) + profileYaml(NS, 'web', {
    routes: [{ name: 'GET /', pathRegex: '/.*', isRetryable: true }],
  }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy, 4);
  const out = await load(300, 4, () => get(WEB));
  const failed = failures(out);
  t.diagnostic(`failing endpoint: ${failed.length} of 300 failed (${failed.slice(0, 2).join(' | ')}), bad hits ${bad.hits}, good ${good.hits}`);
  assert.ok(failed.length <= 5, `${failed.length} failed`);
  assert.equal(await metricValue(proxy, 'outbound_http_balancer_endpoints', { endpoint_state: 'pending' }), 1);
});

test('a_proxy_started_before_the_control_plane_uses_discovery_once_it_is_up', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const a = await counted(t, 'a');
  await cp.apply(serviceWithBackends(NS, 'web', [a.addr]));
  await cp.stop();
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  // No answer: the name itself is the destination, which nothing resolves.
  const before = await get(WEB);
  assert.equal(before.status, 502);
  assert.ok(before.ms < 2000, `fell back after ${before.ms} ms`);
  await cp.start();
  const start = Date.now();
  // Not held back by the fallback answer's 5 s reuse: the watch's first answer ends it.
  await until('discovery after the control plane came up', async () => (await get(WEB)).status === 200, 3000);
  t.diagnostic(`discovery used ${Date.now() - start} ms after the control plane came up`);
  assert.ok(a.hits >= 1);
});
