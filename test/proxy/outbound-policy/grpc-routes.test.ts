// GRPCRoute routing end to end: a real grpc-js client sends through a real proxy (explicit-proxy
// mode, :authority naming the Service) to a real grpc-js server, with the route served by the
// real policy API. Method matches, header filter, no-route, and a fault with a gRPC code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { formatAddress } from '../../../src/lib/address.js';
import { echoClient, startGrpcEcho, unary, type EchoClient } from '../../helpers/grpc-echo.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';
import { serviceWithBackends, startTestControlPlane } from '../../helpers/destination.js';

const NS = 'demo';

test('grpc_route_routes_by_method_answers_unimplemented_off_route_and_injects_grpc_faults', { timeout: 30_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const echo = await startGrpcEcho();
  t.after(() => echo.close());
  const be = { host: '127.0.0.1', port: echo.port };
  await cp.apply(serviceWithBackends(NS, 'echo', [be]) + serviceWithBackends(NS, 'chaos', [be]) + `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo-unary, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: echo}]
  rules:
  - matches: [{method: {service: weft.test.Echo, method: Unary}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: chaos
  namespace: ${NS}
  annotations: {fault.weft.io/abort-status: "8", fault.weft.io/abort-message: "injected exhaustion"}
spec:
  parentRefs: [{kind: Service, group: core, name: chaos}]
---
`);
  const proxy = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}` });
  t.after(() => proxy.close());
  const to = (svc: string): EchoClient => {
    const c = echoClient(formatAddress(proxy.outbound), { 'grpc.default_authority': `${svc}.${NS}.svc.cluster.local:80` });
    t.after(() => c.close());
    return c;
  };

  const c = to('echo');
  for (let i = 0; i < 5; i++) assert.deepEqual(await unary(c, { text: `hi${i}`, n: i }), { text: `hi${i}`.replace(/^/, 'echo:'), n: i + 1 });

  // ServerStream matches no rule of the only GRPCRoute: UNIMPLEMENTED, named by the proxy.
  const off = await new Promise<grpc.ServiceError>((resolve) => {
    const s = c.ServerStream({ text: 'x', n: 2 });
    s.on('data', () => {});
    s.on('error', resolve);
  });
  assert.equal(off.code, grpc.status.UNIMPLEMENTED);
  assert.match(off.details, /no route of Service\/echo matches POST \/weft.test.Echo\/ServerStream/);

  const err = await unary(to('chaos'), { text: 'x', n: 0 }).then(() => undefined, (e: grpc.ServiceError) => e);
  assert.equal(err?.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.match(err?.details ?? '', /injected exhaustion/);

  const labels = { route_kind: 'GRPCRoute', route_name: 'echo-unary', parent_name: 'echo' };
  assert.equal(await metricValue(proxy, 'outbound_grpc_route_request_statuses_total', { ...labels, grpc_status: '0' }), 5);
  assert.equal(await metricValue(proxy, 'outbound_grpc_route_request_statuses_total', { route_name: 'chaos', grpc_status: '8', error: 'FAULT' }), 1);
});
