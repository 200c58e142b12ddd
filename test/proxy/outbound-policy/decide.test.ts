// The outbound policy's pure pieces: decoding the policy API's answer (as the real control plane
// encodes a Linkerd-shaped HTTPRoute / GRPCRoute), and the retry decision the forward layers ask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { PolicyIndex } from '../../../src/control/policy/policy-index.js';
import { findService, outboundPolicy } from '../../../src/control/policy/outbound.js';
import { DEFAULT_POLICY_OPTIONS } from '../../../src/control/policy/service.js';
import { decodeOutboundPolicy } from '../../../src/proxy/outbound/policy-decode.js';
import { retryDecision } from '../../../src/proxy/outbound/policy-route.js';
import type { OutboundPolicy__Output } from '../../../src/api/gen/io/linkerd/proxy/outbound/OutboundPolicy.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, protoDir } from '../../../src/api/load.js';

/** The control plane's answer for a Service, through a real protobuf encode/decode round trip. */
async function answer(yaml: string, svc: string): Promise<OutboundPolicy__Output> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-outpolicy-'));
  const store = await LocalStore.open(dir, { follow: false });
  try {
    await store.apply(parseManifests(yaml, 'test.yaml'));
    const index = new PolicyIndex(store);
    await index.ready;
    const sp = findService(index, { kind: 'service', namespace: 'demo', name: svc, port: 80 });
    assert.ok(sp);
    const msg = outboundPolicy(index, sp, DEFAULT_POLICY_OPTIONS);
    index.close();
    // Serialized and read back as the proxy's client does (same loader options).
    const def = protoLoader.loadSync(join(protoDir(), 'outbound.proto'), { ...LOADER_OPTIONS, longs: String, includeDirs: [protoDir()] });
    const get = (def['io.linkerd.proxy.outbound.OutboundPolicies'] as Record<string, protoLoader.MethodDefinition<object, OutboundPolicy__Output>>)['Get'];
    assert.ok(get);
    return get.responseDeserialize(get.responseSerialize(msg as OutboundPolicy__Output));
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const SVC = (name: string) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: demo}
spec: {ports: [{name: http, port: 80}]}
---
`;

test('decode: routes, filters, weighted backends, timeouts, retries and faults survive the wire', async () => {
  const msg = await answer(SVC('web') + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
  namespace: demo
  annotations: {retry.linkerd.io/http: "5xx,429", retry.linkerd.io/limit: "3", retry.linkerd.io/timeout: 250ms, fault.weft.io/delay: 20ms, fault.weft.io/delay-percent: "12.5"}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
  hostnames: [web.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}, method: PUT, queryParams: [{name: q, value: "1"}]}]
    timeouts: {request: 2s}
    backendRefs: [{name: web, port: 80, weight: 9}, {name: other, port: 8080, weight: 1}]
    filters:
    - {type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /b}}}
---
`, 'web');
  const v = decodeOutboundPolicy(msg);
  assert.equal(v.protocol, 'http');
  assert.deepEqual(v.parent, { group: 'core', kind: 'Service', name: 'web', namespace: 'demo', port: '80' });
  assert.equal(v.routes.length, 1);
  const route = v.routes[0]!;
  assert.deepEqual(route.labels, { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r', namespace: 'demo' });
  assert.deepEqual(route.hosts, ['web.example']);
  const rule = route.rules[0]!;
  assert.equal(rule.matches[0]?.method, 'PUT');
  assert.deepEqual(rule.matches[0]?.path, { kind: 'prefix', value: '/a' });
  assert.equal(rule.requestTimeoutMs, 2000);
  assert.deepEqual(rule.backends.map((b) => [b.authority, b.weight]), [['web.demo.svc.cluster.local:80', 9], ['other.demo.svc.cluster.local:8080', 1]]);
  assert.deepEqual(rule.rewrite, { host: '', path: { full: '/b' } });
  assert.deepEqual(rule.delay, { ms: 20, ratio: 0.125 });
  assert.equal(rule.abort, undefined);
  assert.deepEqual(rule.retry && { ...rule.retry, grpcCodes: [...rule.retry.grpcCodes] }, { maxRetries: 3, statusRanges: [[500, 599], [429, 429]], grpcCodes: [], tryTimeoutMs: 250 });

  // A Service without routes: the control plane's default route decodes to "no routes".
  assert.deepEqual(decodeOutboundPolicy(await answer(SVC('plain'), 'plain')).routes, []);
});

test('decode: a GRPCRoute with retry codes and an abort fault', async () => {
  const v = decodeOutboundPolicy(await answer(SVC('g') + `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: g
  namespace: demo
  annotations: {retry.linkerd.io/grpc: "unavailable,deadline-exceeded", fault.weft.io/abort-status: "14", fault.weft.io/abort-percent: "50"}
spec:
  parentRefs: [{kind: Service, group: core, name: g}]
  rules: [{matches: [{method: {service: pkg.Svc}}]}]
---
`, 'g'));
  assert.equal(v.protocol, 'grpc');
  const rule = v.routes[0]!.rules[0]!;
  assert.deepEqual(rule.matches[0]?.rpc, { service: 'pkg.Svc', method: '' });
  assert.deepEqual([...(rule.retry?.grpcCodes ?? [])].sort((a, b) => a - b), [4, 14]);
  assert.deepEqual(rule.abort, { status: 14, message: '', ratio: 0.5 });
});

test('retry decision: conditions, the route limit, then the budget', () => {
  const budget = (n: number) => ({ left: n, tryWithdraw() { return this.left-- > 0; } });
  let retried = 0;
  const http = retryDecision({ maxRetries: 2, statusRanges: [[500, 599]], grpcCodes: new Set(), tryTimeoutMs: undefined }, 'http', budget(10), () => retried++);
  assert.equal(http({ status: 404 }), false, '4xx is not in the ranges');
  assert.equal(http({ status: 503 }), true);
  assert.equal(http({ status: 0, timedOut: true }), true, 'a per-try timeout is retried');
  assert.equal(http({ status: 503 }), false, 'the limit of 2 is spent');
  assert.equal(retried, 2);

  const grpc = retryDecision({ maxRetries: 5, statusRanges: [], grpcCodes: new Set([14]), tryTimeoutMs: undefined }, 'grpc', budget(1), () => {});
  assert.equal(grpc({ status: 200, grpcStatus: 9 }), false, 'FAILED_PRECONDITION is not retried');
  assert.equal(grpc({ status: 200, grpcStatus: 14 }), true, 'UNAVAILABLE is');
  assert.equal(grpc({ status: 200, grpcStatus: 14 }), false, 'the budget is empty');
});
