// Outbound routing by OutboundPolicies end to end: a real destination + policy server over a
// LocalStore, a real proxy in explicit-proxy mode (proxy-form requests for
// <svc>.demo.svc.cluster.local), and real backends that record what reached them. Each test
// checks both sides: what the client got, and what each backend received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../../../src/lib/address.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { background, client, counted, failures, load, until, type After } from '../../helpers/http-load.js';
import { metricValue } from '../../helpers/proxy.js';
import { profileYaml, serviceWithBackends, controlPlaneFor, meshProxyFor, type TestControlPlane } from '../../helpers/destination.js';

const NS = 'demo';
const fqdn = (svc: string, port = 80): string => `${svc}.${NS}.svc.cluster.local:${port}`;

const controlPlane = controlPlaneFor;
const meshProxy = (t: After, cp: TestControlPlane, env: Record<string, string> = {}): Promise<ProxyHandle> => meshProxyFor(t, cp, NS, env);

interface Seen {
  readonly addr: Address;
  readonly requests: { url: string; headers: http.IncomingHttpHeaders }[];
}

/** A backend that answers 200 "<name>" with an x-upstream header and records each request. */
async function recording(t: After, name: string): Promise<Seen> {
  const requests: Seen['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name, 'x-drop-me': '1' });
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return { addr: { host: '127.0.0.1', port: (server.address() as AddressInfo).port }, requests };
}

test('http_route_matches_by_precedence_applies_filters_and_wins_over_the_service_profile', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const web = await recording(t, 'web');
  const v2 = await recording(t, 'v2');
  const slow = await counted(t, 'slow', { delayMs: 400 });
  await cp.apply(serviceWithBackends(NS, 'web', [web.addr]) + serviceWithBackends(NS, 'web-v2', [v2.addr]) + serviceWithBackends(NS, 'slow', [slow.addr])
    // The profile would time /profiled out at 50 ms: the HTTPRoute on the same Service wins.
    + profileYaml(NS, 'web', { routes: [{ name: 'profiled', pathRegex: '/.*', timeout: '50ms' }] })
    + profileYaml(NS, 'slow', { routes: [{ name: 'profiled', pathRegex: '/.*', timeout: '50ms' }] })
    + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-routes, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web, port: 80}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}]
    backendRefs: [{name: web-v2, port: 80}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-route, value: v2-prefix}], remove: [x-secret]}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {add: [{name: x-resp, value: added}], remove: [x-drop-me]}
  - matches: [{path: {type: Exact, value: /v2/exact}, headers: [{name: x-canary, value: "yes"}]}]
    backendRefs: [{name: web-v2, port: 80}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-route, value: v2-exact}]}
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}
  - matches: [{path: {type: PathPrefix, value: /api}, method: POST}, {path: {type: RegularExpression, value: "/rx/[0-9]+"}}]
    filters:
    - type: URLRewrite
      urlRewrite: {hostname: rewritten.example, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v1}}
  - matches: [{path: {type: PathPrefix, value: /}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: slow-route, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: slow}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /fast-enough}}]
    timeouts: {request: 1s}
  - matches: [{path: {type: PathPrefix, value: /}}]
    timeouts: {request: 100ms}
---
`);
  const proxy = await meshProxy(t, cp);
  const send = (authority: string, path: string, method = 'GET', headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: proxy.outbound.host, port: proxy.outbound.port, method, path: `http://${authority}${path}`, headers: { host: authority, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  // Prefix /v2 -> web-v2, with the request and response header modifiers.
  const a = await send(fqdn('web'), '/v2/items?x=1', 'GET', { 'x-secret': 's' });
  assert.equal(a.status, 200);
  assert.equal(a.body, 'v2');
  assert.equal(a.headers['x-resp'], 'added');
  assert.equal(a.headers['x-drop-me'], undefined, 'response header removed');
  const seenA = v2.requests.at(-1);
  assert.equal(seenA?.url, '/v2/items?x=1');
  assert.equal(seenA?.headers['x-route'], 'v2-prefix');
  assert.equal(seenA?.headers['x-secret'], undefined, 'request header removed');

  // An exact path (with its header) outranks the prefix; without the header, the prefix rule.
  await send(fqdn('web'), '/v2/exact', 'GET', { 'x-canary': 'yes' });
  assert.equal(v2.requests.at(-1)?.headers['x-route'], 'v2-exact');
  await send(fqdn('web'), '/v2/exact');
  assert.equal(v2.requests.at(-1)?.headers['x-route'], 'v2-prefix');

  // Redirect: answered by the proxy, nothing sent upstream.
  const before = web.requests.length + v2.requests.length;
  const r = await send(fqdn('web'), '/old/page?q=2');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, 'http://web.demo.svc.cluster.local/new/page?q=2');
  assert.equal(web.requests.length + v2.requests.length, before);

  // URLRewrite on a method match and on a regex match; GET /api is not POST: the default rule.
  await send(fqdn('web'), '/api/orders?id=7', 'POST');
  assert.equal(web.requests.at(-1)?.url, '/v1/orders?id=7');
  assert.equal(web.requests.at(-1)?.headers.host, 'rewritten.example');
  await send(fqdn('web'), '/rx/42');
  assert.equal(web.requests.at(-1)?.url, '/v1', 'a regex match has no prefix: the replacement is the path');
  await send(fqdn('web'), '/api/orders');
  assert.equal(web.requests.at(-1)?.url, '/api/orders');
  assert.equal(web.requests.at(-1)?.headers.host, fqdn('web'));

  // The profile's 50 ms timeout does not apply under the HTTPRoute; the route's own does.
  const s1 = await send(fqdn('slow'), '/fast-enough');
  assert.equal(s1.status, 200, 'the 1 s route timeout lets a 400 ms answer through (the profile\'s 50 ms would not)');
  const s2 = await send(fqdn('slow'), '/other');
  assert.equal(s2.status, 504);
  assert.match(String(s2.headers['weft-proxy-error']), /route HTTPRoute\/slow-route timed out after 100 ms/);

  // Per-route metrics, with Linkerd's labels.
  const route = { parent_name: 'web', parent_kind: 'Service', parent_port: '80', route_kind: 'HTTPRoute', route_name: 'web-routes', route_namespace: NS };
  assert.equal(await metricValue(proxy, 'outbound_http_route_request_statuses_total', { ...route, http_status: '200' }), 6);
  assert.equal(await metricValue(proxy, 'outbound_http_route_request_statuses_total', { ...route, http_status: '301' }), 1);
  assert.equal(await metricValue(proxy, 'outbound_http_route_request_statuses_total', { route_name: 'slow-route', http_status: '504', error: 'TIMEOUT' }), 1);
  assert.equal(await metricValue(proxy, 'outbound_http_route_backend_requests_total', { route_name: 'web-routes', backend_name: 'web-v2' }), 3);
  // Per-route cost (viz routes -o wide) counts HTTPRoute routes as it does ServiceProfile ones.
  assert.ok(await metricValue(proxy, 'route_response_bytes_total', { direction: 'outbound', rt_route: 'web-routes' }) > 0, 'response bytes of the HTTPRoute');
});

test('weighted_backend_refs_split_traffic_across_services', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const a = await counted(t, 'a');
  const b = await counted(t, 'b');
  const parent = await counted(t, 'parent');
  await cp.apply(serviceWithBackends(NS, 'web', [parent.addr]) + serviceWithBackends(NS, 'web-a', [a.addr]) + serviceWithBackends(NS, 'web-b', [b.addr]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: split, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
  rules:
  - backendRefs: [{name: web-a, port: 80, weight: 3}, {name: web-b, port: 80, weight: 1}]
---
`);
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  const n = 400;
  assert.deepEqual(failures(await load(n, 8, () => get(fqdn('web')))), []);
  t.diagnostic(`split 3:1 -> a ${a.hits}, b ${b.hits}, parent ${parent.hits}`);
  assert.equal(parent.hits, 0, 'the parent Service gets nothing: the route names its backends');
  assert.equal(a.hits + b.hits, n);
  // Binomial(400, 0.75): sd 8.7; 6 sd either side.
  assert.ok(Math.abs(a.hits - 300) <= 52, `a got ${a.hits} of ${n}`);
});

test('route_retry_annotations_retry_bodiless_http1_requests_within_the_limit', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  // Odd hits fail: one retry (the next hit) succeeds.
  const flaky = await counted(t, 'flaky', { status: (_p, n) => (n % 2 === 1 ? 503 : 200) });
  await cp.apply(serviceWithBackends(NS, 'flaky', [flaky.addr]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: flaky
  namespace: ${NS}
  annotations: {retry.linkerd.io/http: 5xx, retry.linkerd.io/limit: "2"}
spec:
  parentRefs: [{kind: Service, group: core, name: flaky}]
  rules: [{matches: [{path: {type: PathPrefix, value: /}}]}]
---
`);
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy, 1);
  const n = 40;
  const out = await load(n, 1, () => get(fqdn('flaky'), '/x'));
  assert.deepEqual(failures(out), []);
  assert.equal(flaky.hits, 2 * n, 'each request took exactly one retry');
  assert.equal(await metricValue(proxy, 'outbound_http_route_retry_requests_total', { route_name: 'flaky' }), n);
  assert.equal(await metricValue(proxy, 'outbound_http_route_request_statuses_total', { route_name: 'flaky', http_status: '200' }), n);
});

test('fault_injection_aborts_and_delays_the_configured_share_of_requests', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const app = await counted(t, 'app');
  const slowed = await counted(t, 'slowed');
  await cp.apply(serviceWithBackends(NS, 'app', [app.addr]) + serviceWithBackends(NS, 'slowed', [slowed.addr]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: chaos
  namespace: ${NS}
  annotations: {fault.weft.io/abort-status: "503", fault.weft.io/abort-percent: "25", fault.weft.io/abort-message: chaos monkey}
spec:
  parentRefs: [{kind: Service, group: core, name: app}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: lag
  namespace: ${NS}
  annotations: {fault.weft.io/delay: 150ms, fault.weft.io/delay-percent: "100"}
spec:
  parentRefs: [{kind: Service, group: core, name: slowed}]
---
`);
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  const n = 400;
  const out = await load(n, 8, () => get(fqdn('app')));
  const aborted = out.filter((r) => !(r instanceof Error) && r.status === 503);
  t.diagnostic(`25% abort: ${aborted.length} of ${n} aborted; backend got ${app.hits}`);
  // Binomial(400, 0.25): sd 8.7; 6 sd either side.
  assert.ok(Math.abs(aborted.length - 100) <= 52, `${aborted.length} aborted`);
  assert.equal(app.hits + aborted.length, n, 'an aborted request never reaches the backend');
  assert.equal(out.filter((r) => r instanceof Error || (r.status !== 200 && r.status !== 503)).length, 0);
  const one = aborted[0];
  assert.ok(one && !(one instanceof Error) && one.body.includes('chaos monkey'));
  assert.equal(await metricValue(proxy, 'outbound_http_route_fault_injected_total', { route_name: 'chaos', fault: 'abort' }), aborted.length);

  const delayed = await load(10, 5, () => get(fqdn('slowed')));
  assert.deepEqual(failures(delayed), []);
  for (const r of delayed) if (!(r instanceof Error)) assert.ok(r.ms >= 145, `delayed ${r.ms.toFixed(0)} ms`);
  assert.equal(slowed.hits, 10);
});

test('routes_stay_in_force_while_the_control_plane_is_away_and_change_when_it_returns', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const v1 = await counted(t, 'v1');
  const v2 = await counted(t, 'v2');
  const route = (to: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: pin, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
  rules: [{backendRefs: [{name: ${to}, port: 80}]}]
---
`;
  await cp.apply(serviceWithBackends(NS, 'web', [v1.addr]) + serviceWithBackends(NS, 'web-v2', [v2.addr]) + route('web-v2'));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  assert.deepEqual(failures(await load(10, 2, () => get(fqdn('web')))), []);
  assert.equal(v2.hits, 10);

  await cp.stop();
  assert.deepEqual(failures(await load(10, 2, () => get(fqdn('web')))), []);
  assert.equal(v2.hits, 20, 'the last policy is kept while the control plane is away');
  assert.equal(v1.hits, 0);

  await cp.apply(route('web'));
  await cp.start();
  await until('the new route to reach the proxy', async () => (await get(fqdn('web'))).body === 'v1', 5000);
});

test('a_target_without_routes_keeps_the_service_profile_path', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const slow = await counted(t, 'slow', { delayMs: 300 });
  await cp.apply(serviceWithBackends(NS, 'plain', [slow.addr]) + profileYaml(NS, 'plain', { routes: [{ name: 'all', pathRegex: '/.*', timeout: '50ms' }] }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  const r = await get(fqdn('plain'), '/x');
  assert.equal(r.status, 504, 'the profile route\'s timeout applies');
  assert.equal(await metricValue(proxy, 'route_response_total', { rt_route: 'all' }), 1);
  assert.equal(await metricValue(proxy, 'outbound_http_route_request_statuses_total'), 0);
});

test('a_route_changed_under_load_takes_effect_within_a_second_and_drops_nothing', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const blue = await counted(t, 'blue');
  const green = await counted(t, 'green');
  const pin = (to: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: live, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
  rules: [{backendRefs: [{name: ${to}, port: 80}]}]
---
`;
  await cp.apply(serviceWithBackends(NS, 'web', [blue.addr]) + serviceWithBackends(NS, 'web-green', [green.addr]) + pin('web'));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy);
  assert.deepEqual(failures(await load(20, 4, () => get(fqdn('web')))), []);
  const bg = background(4, () => get(fqdn('web')));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  await cp.apply(pin('web-green'));
  await until('green to get traffic', () => green.hits > 0, 1000);
  const took = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 200));
  const out = await bg.stop();
  t.diagnostic(`switch took ${took} ms under load; ${out.length} requests, blue ${blue.hits}, green ${green.hits}`);
  assert.deepEqual(failures(out), [], 'no request failed across the switch');
  const blueAfter = blue.hits;
  assert.deepEqual(failures(await load(20, 4, () => get(fqdn('web')))), []);
  assert.equal(blue.hits, blueAfter, 'after the switch everything goes to green');
});
