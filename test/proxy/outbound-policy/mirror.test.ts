// RequestMirror end to end: the real policy API, a real proxy, a primary backend and a shadow
// backend that count what reaches them. The copy's share, its body, and the bound on the extra
// load (in-flight cap, drops counted) are checked on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Address } from '../../../src/lib/address.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { client, counted, failures, load, until, type After } from '../../helpers/http-load.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';
import { serviceWithBackends, startTestControlPlane, type TestControlPlane } from '../../helpers/destination.js';
import { h2Backend } from '../../helpers/servers.js';

const NS = 'demo';
const WEB = `web.${NS}.svc.cluster.local:80`;

const mirrorRoute = (rules: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shadowed, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
  rules:${rules}
---
`;

interface Shadow {
  readonly addr: Address;
  readonly got: { method: string; url: string; body: string }[];
  /** Hold every request unanswered (until the test ends). */
  hold: boolean;
}

async function shadowBackend(t: After): Promise<Shadow> {
  const sh: Shadow = { addr: { host: '127.0.0.1', port: 0 }, got: [], hold: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      sh.got.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (!sh.hold) res.end('shadow');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return Object.assign(sh, { addr: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } });
}

async function setup(t: After, rules: string, env: Record<string, string> = {}) {
  const cp: TestControlPlane = await startTestControlPlane();
  t.after(() => cp.close());
  const web = await counted(t, 'web');
  const shadow = await shadowBackend(t);
  await cp.apply(serviceWithBackends(NS, 'web', [web.addr]) + serviceWithBackends(NS, 'shadow', [shadow.addr]) + mirrorRoute(rules));
  const proxy: ProxyHandle = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}`, ...env });
  t.after(() => proxy.close());
  return { web, shadow, proxy };
}

function post(proxy: ProxyHandle, path: string, body: string, chunked = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.outbound.host, port: proxy.outbound.port, method: 'POST', path: `http://${WEB}${path}`,
      headers: chunked ? { host: WEB } : { host: WEB, 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (chunked) req.write(body);
    req.end(chunked ? undefined : body);
  });
}

test('request_mirror_copies_the_configured_share_with_bodies_and_discards_the_answers', { timeout: 30_000 }, async (t) => {
  const { web, shadow, proxy } = await setup(t, `
  - matches: [{path: {type: PathPrefix, value: /half}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}, percent: 50}}]
  - matches: [{path: {type: PathPrefix, value: /all}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}, fraction: {numerator: 1, denominator: 1}}}]`);
  const get = client(t, proxy);
  const n = 300;
  const out = await load(n, 6, () => get(WEB, '/half'));
  assert.deepEqual(failures(out), []);
  assert.ok(out.every((r) => !(r instanceof Error) && r.body === 'web'), 'the client only ever sees the primary\'s answer');
  assert.equal(web.hits, n);
  await until('mirrors to finish', async () => (await metricValue(proxy, 'outbound_http_route_mirror_requests_total')) >= shadow.got.length && shadow.got.length > 0);
  const sent = await metricValue(proxy, 'outbound_http_route_mirror_requests_total', { route_name: 'shadowed', result: 'sent' });
  t.diagnostic(`50% mirror: shadow got ${shadow.got.length} of ${n} (metric sent=${sent})`);
  // Binomial(300, 0.5): sd 8.7; 6 sd either side.
  assert.ok(Math.abs(shadow.got.length - 150) <= 52, `shadow got ${shadow.got.length}`);

  // A body within the limit is copied, with a Content-Length or chunked (its payload, decoded);
  // one past the 64 KiB limit is not (counted as skipped), and the real request is unaffected.
  shadow.got.length = 0;
  assert.equal(await post(proxy, '/all/orders', 'order=42'), 200);
  await until('the copy of the POST', () => shadow.got.length === 1);
  assert.deepEqual(shadow.got[0], { method: 'POST', url: '/all/orders', body: 'order=42' });
  assert.equal(await post(proxy, '/all/stream', 'chunk-one;chunk-two', true), 200);
  await until('the copy of the chunked POST', () => shadow.got.length === 2);
  assert.deepEqual(shadow.got[1], { method: 'POST', url: '/all/stream', body: 'chunk-one;chunk-two' });
  assert.equal(await post(proxy, '/all/big', 'x'.repeat(70 * 1024), true), 200);
  await until('the oversized copy skipped', async () => (await metricValue(proxy, 'outbound_http_route_mirror_requests_total', { result: 'skipped' })) === 1);
  assert.equal(shadow.got.length, 2);
});

test('request_mirror_copies_http2_requests_with_their_bodies', { timeout: 30_000 }, async (t) => {
  const cp: TestControlPlane = await startTestControlPlane();
  t.after(() => cp.close());
  const web = { hits: 0 };
  const primary = await h2Backend((stream) => {
    web.hits++;
    stream.on('error', () => {});
    stream.resume();
    stream.respond({ ':status': 200 });
    stream.end('web');
  });
  t.after(() => primary.close());
  const shadow = await shadowBackend(t);
  await cp.apply(serviceWithBackends(NS, 'web', [primary.addr]) + serviceWithBackends(NS, 'shadow', [shadow.addr]) + mirrorRoute(`
  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}]`));
  const proxy = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}` });
  t.after(() => proxy.close());
  const session = http2.connect(`http://${proxy.outbound.host}:${proxy.outbound.port}`);
  t.after(() => session.close());
  const h2post = (path: string, body: Buffer): Promise<number> => new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': path, ':authority': WEB });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.resume();
    req.end(body);
  });
  assert.equal(await h2post('/h2/orders', Buffer.from('order=43')), 200);
  await until('the copy of the h2 POST', () => shadow.got.length === 1);
  assert.deepEqual(shadow.got[0], { method: 'POST', url: '/h2/orders', body: 'order=43' });
  assert.equal(await h2post('/h2/big', Buffer.alloc(70 * 1024, 0x78)), 200);
  await until('the oversized h2 copy skipped', async () => (await metricValue(proxy, 'outbound_http_route_mirror_requests_total', { result: 'skipped' })) === 1);
  assert.equal(shadow.got.length, 1);
  assert.equal(web.hits, 2, 'both real requests reached the primary');
});

test('request_mirror_load_is_bounded_by_the_in_flight_cap_and_drops_are_counted', { timeout: 30_000 }, async (t) => {
  const { web, shadow, proxy } = await setup(t, `
  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}]`, { WEFT_PROXY_MIRROR_MAX_IN_FLIGHT: '3' });
  shadow.hold = true; // the shadow never answers: every copy stays in flight
  const get = client(t, proxy);
  const n = 20;
  const out = await load(n, 1, () => get(WEB, '/x'));
  assert.deepEqual(failures(out), [], 'a stuck shadow does not hold up the real requests');
  assert.equal(web.hits, n);
  await until('the shadow to hold 3 copies', () => shadow.got.length === 3);
  assert.equal(await metricValue(proxy, 'outbound_http_route_mirror_requests_total', { result: 'dropped' }), n - 3);
  assert.equal(shadow.got.length, 3, 'no more than the cap reached the shadow');
});
