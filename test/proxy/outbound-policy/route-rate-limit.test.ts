// Outbound route rate limits (weft's extension of HTTPLocalRateLimitPolicy to HTTPRoute and
// GRPCRoute targets): the real policy API, a real proxy, real backends. Over the limit the
// client proxy answers itself (429 naming the limit, gRPC RESOURCE_EXHAUSTED), nothing reaches
// the backend, the counter says so; the bucket refills at the configured rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { formatAddress } from '../../../src/lib/address.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { echoClient, startGrpcEcho, unary } from '../../helpers/grpc-echo.js';
import { client, counted, load, sleep } from '../../helpers/http-load.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';
import { serviceWithBackends, startTestControlPlane } from '../../helpers/destination.js';

const NS = 'demo';
const WEB = `web.${NS}.svc.cluster.local:80`;

const limit = (name: string, kind: string, route: string, rps: number): string => `
apiVersion: policy.weft.io/v1alpha1
kind: HTTPLocalRateLimitPolicy
metadata: {name: ${name}, namespace: ${NS}}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: ${kind}, name: ${route}}
  total: {requestsPerSecond: ${rps}}
---
`;

test('an HTTPRoute limited to 10 rps: each client proxy lets 10 a second through and answers the rest 429 itself', { timeout: 30_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const web = await counted(t, 'web');
  await cp.apply(serviceWithBackends(NS, 'web', [web.addr]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-api, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
  - matches: [{path: {type: PathPrefix, value: /}}]
---
` + limit('web-api-limit', 'HTTPRoute', 'web-api', 10));
  const proxy = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}` });
  t.after(() => proxy.close());
  const get = client(t, proxy, 4);

  const start = performance.now();
  const out = await load(40, 4, () => get(WEB, '/api/x'));
  const elapsedS = (performance.now() - start) / 1000;
  const ok = out.filter((r) => !(r instanceof Error) && r.status === 200).length;
  const limited = out.filter((r) => !(r instanceof Error) && r.status === 429);
  t.diagnostic(`40 requests in ${elapsedS.toFixed(2)} s: ${ok} passed, ${limited.length} got 429`);
  // A second's burst of 10, plus what refilled while the load ran.
  assert.ok(ok >= 10 && ok <= 10 + Math.ceil(elapsedS * 10) + 1, `${ok} passed in ${elapsedS} s`);
  assert.equal(ok + limited.length, 40, 'every request was answered 200 or 429');
  assert.equal(web.hits, ok, 'nothing over the limit reached the backend');
  const first = limited[0];
  assert.ok(first && !(first instanceof Error));
  assert.match(String(first.headers['weft-proxy-error'] ?? ''), /rate limit of HTTPRoute demo\/web-api exceeded: 10 requests per second \(HTTPLocalRateLimitPolicy demo\/web-api-limit\)/);
  assert.equal(await metricValue(proxy, 'outbound_http_route_local_ratelimit_total', { route_name: 'web-api', result: 'rate_limited' }), limited.length);
  assert.equal(await metricValue(proxy, 'outbound_http_route_request_statuses_total', { route_name: 'web-api', http_status: '429', error: 'RATE_LIMITED' }), limited.length);

  // The bucket refills at 10 a second.
  await sleep(1100);
  const again = await load(5, 1, () => get(WEB, '/api/y'));
  assert.deepEqual(again.map((r) => (r instanceof Error ? r.message : r.status)), [200, 200, 200, 200, 200]);
});

test('a GRPCRoute over its limit answers RESOURCE_EXHAUSTED', { timeout: 30_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const echo = await startGrpcEcho();
  t.after(() => echo.close());
  await cp.apply(serviceWithBackends(NS, 'echo', [{ host: '127.0.0.1', port: echo.port }]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: echo}]
---
` + limit('echo-limit', 'GRPCRoute', 'echo', 2));
  const proxy = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}` });
  t.after(() => proxy.close());
  const c = echoClient(formatAddress(proxy.outbound), { 'grpc.default_authority': `echo.${NS}.svc.cluster.local:80` });
  t.after(() => c.close());
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push(await unary(c, { text: 'x', n: i }).then(() => grpc.status.OK, (e: grpc.ServiceError) => e.code));
  assert.deepEqual(codes.slice(0, 2), [grpc.status.OK, grpc.status.OK]);
  assert.ok(codes.slice(2).includes(grpc.status.RESOURCE_EXHAUSTED), `codes ${codes.join(',')}`);
  assert.ok((await metricValue(proxy, 'outbound_http_route_local_ratelimit_total', { route_name: 'echo', result: 'rate_limited' })) >= 1);
});

test('a limit on a route takes a total only: identity and overrides are refused with the field named', () => {
  const doc = (spec: string): string => `apiVersion: policy.weft.io/v1alpha1\nkind: HTTPLocalRateLimitPolicy\nmetadata: {name: l, namespace: ${NS}}\nspec:\n${spec}`;
  const target = '  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: web-api}\n';
  assert.throws(() => parseManifests(doc(target + '  identity: {requestsPerSecond: 5}\n  total: {requestsPerSecond: 5}\n'), 'l.yaml'), /spec\.identity/);
  assert.throws(() => parseManifests(doc(target), 'l.yaml'), /spec\.total/);
  assert.throws(() => parseManifests(doc('  targetRef: {kind: Service, name: web}\n  total: {requestsPerSecond: 5}\n'), 'l.yaml'), /spec\.targetRef\.kind/);
  assert.equal(parseManifests(doc(target + '  total: {requestsPerSecond: 5}\n'), 'l.yaml').length, 1);
});
