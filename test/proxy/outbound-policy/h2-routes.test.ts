// HTTPRoutes over HTTP/2 (h2c clients through the explicit proxy): path routing with the
// response header modifier on h2, and a rule's request timeout answered as gRPC
// DEADLINE_EXCEEDED to a gRPC client and 504 to a plain h2 client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { formatAddress } from '../../../src/lib/address.js';
import { h2Backend } from '../../helpers/servers.js';
import { startTestProxy } from '../../helpers/proxy.js';
import { serviceWithBackends, startTestControlPlane } from '../../helpers/destination.js';

const NS = 'demo';
const API = `api.${NS}.svc.cluster.local:80`;

test('h2_http_route_routes_modifies_response_headers_and_times_out_as_504_or_deadline_exceeded', { timeout: 30_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const fast = await h2Backend();
  t.after(() => fast.close());
  // Never answers: only the route's timeout ends the request.
  const stuck = await h2Backend((s) => s.on('error', () => {}));
  t.after(() => stuck.close());
  await cp.apply(serviceWithBackends(NS, 'api', [fast.addr]) + serviceWithBackends(NS, 'api-stuck', [stuck.addr]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: api}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /stuck}}]
    backendRefs: [{name: api-stuck, port: 80}]
    timeouts: {request: 150ms}
  - filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: x-routed, value: "yes"}]}}]
---
`);
  const proxy = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}` });
  t.after(() => proxy.close());
  const session = http2.connect(`http://${formatAddress(proxy.outbound)}`);
  t.after(() => session.close());
  const ask = (path: string, grpc = false) => new Promise<{ headers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const s = session.request({ ':method': grpc ? 'POST' : 'GET', ':path': path, ':authority': API, ...(grpc ? { 'content-type': 'application/grpc' } : {}) }, { endStream: !grpc });
    if (grpc) s.end(Buffer.from([0, 0, 0, 0, 0]));
    let headers: http2.IncomingHttpHeaders = {};
    let body = '';
    s.on('response', (h) => (headers = h));
    s.on('data', (c: Buffer) => (body += c.toString()));
    s.on('end', () => resolve({ headers, body }));
    s.on('error', reject);
  });

  const ok = await ask('/v1/things');
  assert.equal(ok.headers[':status'], 200);
  assert.equal(ok.headers['x-routed'], 'yes');
  assert.equal(ok.body, 'h2 GET /v1/things');

  const t0 = Date.now();
  const plain = await ask('/stuck/a');
  assert.equal(plain.headers[':status'], 504);
  assert.match(String(plain.headers['weft-proxy-error']), /route HTTPRoute\/api timed out after 150 ms/);
  assert.ok(Date.now() - t0 < 2000);
  const grpc = await ask('/stuck/Call', true);
  assert.equal(grpc.headers[':status'], 200);
  assert.equal(grpc.headers['grpc-status'], '4', 'DEADLINE_EXCEEDED');
});
