// Egress control end to end: the real policy server over a LocalStore with EgressNetworks, a real
// proxy in explicit-proxy mode (proxy-form requests, h2c gRPC, CONNECT tunnels) and real
// backends on loopback addresses of their own (127.0.0.2 captured by a Deny EgressNetwork,
// 127.0.0.3 by an Allow one, 127.0.0.4 by none). Each check looks at both sides: what the client
// got, and whether anything reached the backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Address } from '../../../src/lib/address.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { echoClient, startGrpcEcho, unary } from '../../helpers/grpc-echo.js';
import { until, type After } from '../../helpers/http-load.js';
import { metricValue } from '../../helpers/proxy.js';
import { controlPlaneFor, meshProxyFor } from '../../helpers/destination.js';

const NS = 'demo';

const POLICY = `
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: locked, namespace: ${NS}}
spec: {trafficPolicy: Deny, networks: [{cidr: 127.0.0.2/32}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: open, namespace: ${NS}}
spec: {trafficPolicy: Allow, networks: [{cidr: 127.0.0.3/32}]}
---
apiVersion: policy.weft.io/v1alpha1
kind: EgressNetwork
metadata: {name: names, namespace: weft}
spec: {trafficPolicy: Deny, networks: [{cidr: 127.0.0.1/32}, {cidr: "::1/128"}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: locked-api, namespace: ${NS}}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: EgressNetwork, name: locked}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-egress-route, value: locked-api}]}}]
---
`;

interface Backend {
  readonly addr: Address;
  readonly seen: { url: string; route: string | undefined }[];
}

async function httpBackend(t: After, host: string): Promise<Backend> {
  const seen: Backend['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', route: req.headers['x-egress-route'] as string | undefined });
    req.resume();
    res.end(`hello from ${host}`);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  t.after(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return { addr: { host, port: (server.address() as AddressInfo).port }, seen };
}

interface Reply {
  readonly status: number;
  readonly error: string | undefined;
  readonly body: string;
}

/** A proxy-form request through the proxy's outbound port. */
function get(proxy: ProxyHandle, authority: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.outbound.host, port: proxy.outbound.port, path: `http://${authority}${path}`, headers: { host: authority }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: res.headers['weft-proxy-error'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opaque bytes through a CONNECT tunnel: what came back before the connection ended. */
function tunnel(proxy: ProxyHandle, target: Address, payload: string): Promise<{ established: boolean; echoed: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxy.outbound.port, proxy.outbound.host);
    let buf = '';
    let established = false;
    s.setEncoding('latin1');
    s.setTimeout(5000, () => s.destroy(new Error('tunnel timed out')));
    s.on('connect', () => s.write(`CONNECT ${target.host}:${target.port} HTTP/1.1\r\nhost: ${target.host}:${target.port}\r\n\r\n`));
    s.on('data', (c: string) => {
      buf += c;
      if (!established && buf.includes('\r\n\r\n')) {
        established = /^HTTP\/1\.1 200/.test(buf);
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        s.write(payload);
      }
      if (established && buf === payload) s.end();
    });
    s.on('close', () => resolve({ established, echoed: buf }));
    s.on('error', (e) => (established ? resolve({ established, echoed: buf }) : reject(e)));
  });
}

async function tcpEcho(t: After, host: string): Promise<Address> {
  const server = net.createServer((c) => c.pipe(c));
  await new Promise<void>((r) => server.listen(0, host, r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { host, port: (server.address() as AddressInfo).port };
}

test('egress: Allow goes out counted under its EgressNetwork, Deny answers 403 naming the rule, an attached route lets its path through, an address in none is untouched', { timeout: 40_000 }, async (t) => {
  const cp = await controlPlaneFor(t);
  await cp.apply(POLICY);
  const denied = await httpBackend(t, '127.0.0.2');
  const allowed = await httpBackend(t, '127.0.0.3');
  const elsewhere = await httpBackend(t, '127.0.0.4');
  const proxy = await meshProxyFor(t, cp, NS);
  const at = (b: Backend): string => `${b.addr.host}:${b.addr.port}`;

  const ok = await get(proxy, at(allowed), '/out');
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'hello from 127.0.0.3');
  assert.equal(allowed.seen.length, 1);

  const no = await get(proxy, at(denied), '/secret');
  assert.equal(no.status, 403);
  assert.equal(no.error, `traffic not allowed: egress to ${at(denied)} denied by EgressNetwork ${NS}/locked (trafficPolicy Deny)`);
  assert.equal(denied.seen.length, 0, 'nothing reached the denied destination');

  // The HTTPRoute attached to the Deny EgressNetwork lets /api through, with its filter.
  const api = await get(proxy, at(denied), '/api/v1?q=1');
  assert.equal(api.status, 200);
  assert.deepEqual(denied.seen, [{ url: '/api/v1?q=1', route: 'locked-api' }]);

  // A proxy-form host name no Service has is decided by its address (localhost: the global `names`).
  const named = await get(proxy, 'localhost:9', '/');
  assert.equal(named.status, 403);
  assert.match(named.error ?? '', /^traffic not allowed: egress to localhost:9 denied by EgressNetwork weft\/names/);

  // No EgressNetwork captures 127.0.0.4: as before egress existed.
  assert.equal((await get(proxy, at(elsewhere), '/x')).status, 200);

  const statuses = 'outbound_http_route_request_statuses_total';
  assert.equal(await metricValue(proxy, statuses, { parent_kind: 'EgressNetwork', parent_name: 'open', parent_namespace: NS, route_kind: 'default', route_name: 'http-egress-allow', http_status: '200' }), 1);
  assert.equal(await metricValue(proxy, statuses, { parent_kind: 'EgressNetwork', parent_name: 'locked', route_name: 'http-egress-deny', http_status: '403', error: 'FORBIDDEN' }), 1);
  assert.equal(await metricValue(proxy, statuses, { parent_kind: 'EgressNetwork', parent_name: 'locked', route_kind: 'HTTPRoute', route_name: 'locked-api', http_status: '200' }), 1);
  assert.equal(await metricValue(proxy, 'outbound_http_route_backend_requests_total', { route_name: 'locked-api', backend_kind: 'EgressNetwork', backend_name: 'locked' }), 1);
  assert.equal(await metricValue(proxy, 'outbound_egress_denied_total', { parent_name: 'locked', parent_namespace: NS, protocol: 'http' }), 1);
  assert.equal(await metricValue(proxy, 'outbound_egress_denied_total', { parent_name: 'names', parent_namespace: 'weft', protocol: 'http' }), 1);
  assert.equal(await metricValue(proxy, statuses, { parent_kind: 'EgressNetwork', http_status: '200' }), 2, 'the uncaptured request is no egress');

  // Deleting the Deny EgressNetwork opens its addresses within a couple of seconds.
  await cp.commit({ delete: [{ kind: 'EgressNetwork', namespace: NS, name: 'locked' }] });
  await until('the deny to be lifted', async () => (await get(proxy, at(denied), '/secret')).status === 200, 5000);
});

test('egress: gRPC under Deny gets PERMISSION_DENIED but for an attached GRPCRoute, opaque TCP is closed, and Allow tunnels through', { timeout: 40_000 }, async (t) => {
  const cp = await controlPlaneFor(t);
  // A GRPCRoute on `locked`: its answer becomes gRPC's (grpc-egress-deny), as in Linkerd.
  await cp.apply(POLICY + `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: locked-unary, namespace: ${NS}}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: EgressNetwork, name: locked}]
  rules: [{matches: [{method: {service: weft.test.Echo, method: Unary}}]}]
`);
  const proxy = await meshProxyFor(t, cp, NS);
  const echo = await startGrpcEcho(undefined, '127.0.0.2');
  t.after(() => echo.close());

  const c = echoClient(`${proxy.outbound.host}:${proxy.outbound.port}`, { 'grpc.default_authority': `127.0.0.2:${echo.port}` });
  t.after(() => c.close());
  assert.deepEqual(await unary(c, { text: 'hi', n: 1 }), { text: 'echo:hi', n: 2 }, 'the attached route lets Unary out');
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    const s = c.ServerStream({ text: 'x', n: 2 });
    s.on('data', () => assert.fail('nothing may come back from a denied destination'));
    s.on('error', resolve);
  });
  assert.equal(err.code, grpc.status.PERMISSION_DENIED);
  assert.match(err.details, /denied by EgressNetwork demo\/locked/);
  assert.equal(await metricValue(proxy, 'outbound_egress_denied_total', { parent_name: 'locked', protocol: 'grpc' }), 1);
  const statuses = 'outbound_grpc_route_request_statuses_total';
  assert.equal(await metricValue(proxy, statuses, { parent_kind: 'EgressNetwork', parent_name: 'locked', route_name: 'locked-unary', grpc_status: '0' }), 1);
  assert.equal(await metricValue(proxy, statuses, { parent_kind: 'EgressNetwork', parent_name: 'locked', route_name: 'grpc-egress-deny', grpc_status: '7', error: 'FORBIDDEN' }), 1);

  // gRPC to an Allow EgressNetwork without GRPCRoutes: out, under its HTTP default route.
  const openGrpc = await startGrpcEcho(undefined, '127.0.0.3');
  t.after(() => openGrpc.close());
  const oc = echoClient(`${proxy.outbound.host}:${proxy.outbound.port}`, { 'grpc.default_authority': `127.0.0.3:${openGrpc.port}` });
  t.after(() => oc.close());
  assert.deepEqual(await unary(oc, { text: 'out', n: 0 }), { text: 'echo:out', n: 1 });
  await until('the allowed gRPC call to be counted', async () => (await metricValue(proxy, 'outbound_http_route_request_statuses_total', { parent_name: 'open', route_name: 'http-egress-allow', http_status: '200' })) === 1, 2000);

  const refusedEcho = await tcpEcho(t, '127.0.0.2');
  const refused = await tunnel(proxy, refusedEcho, '\x00\x01opaque bytes\n');
  assert.equal(refused.established, true, 'the CONNECT itself is answered');
  assert.equal(refused.echoed, '', 'closed without a byte from the destination');
  assert.equal(await metricValue(proxy, 'outbound_egress_denied_total', { parent_name: 'locked', protocol: 'opaque' }), 1);

  const openEcho = await tcpEcho(t, '127.0.0.3');
  const through = await tunnel(proxy, openEcho, '\x00\x01opaque bytes\n');
  assert.equal(through.echoed, '\x00\x01opaque bytes\n');
  assert.equal(await metricValue(proxy, 'outbound_egress_tcp_open_total', { parent_kind: 'EgressNetwork', parent_name: 'open', parent_namespace: NS }), 1);
});
