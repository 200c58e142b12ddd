// The policy API served by the destination service, read by a client built from Linkerd's own
// published inbound.proto / outbound.proto (test/fixtures/linkerd-proxy-api): what a Linkerd
// proxy would decode, field number for field number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer } from '../../../src/control/destination/server.js';
import { LINKERD_LOADER, LINKERD_PROTO_DIR } from '../destination/linkerd-client.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Clients {
  inbound: grpc.Client & { WatchPort(req: Json): grpc.ClientReadableStream<Json>; GetPort(req: Json, cb: (e: grpc.ServiceError | null, r?: Json) => void): void };
  outbound: grpc.Client & { Watch(req: Json): grpc.ClientReadableStream<Json>; Get(req: Json, cb: (e: grpc.ServiceError | null, r?: Json) => void): void };
}

function linkerdClients(port: number): Clients {
  const load = (f: string) => grpc.loadPackageDefinition(protoLoader.loadSync(join(LINKERD_PROTO_DIR, f), LINKERD_LOADER)) as Json;
  const inb = load('inbound.proto').io.linkerd.proxy.inbound.InboundServerPolicies;
  const outb = load('outbound.proto').io.linkerd.proxy.outbound.OutboundPolicies;
  const creds = grpc.credentials.createInsecure();
  return { inbound: new inb(`127.0.0.1:${port}`, creds), outbound: new outb(`127.0.0.1:${port}`, creds) };
}

const APP = `
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}}
spec:
  serviceAccountName: api
  containers: [{name: app, ports: [{name: http, containerPort: 8080}, {name: admin, containerPort: 9990}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: legacy-0, namespace: shop, labels: {app: legacy}, annotations: {config.linkerd.io/default-inbound-policy: cluster-authenticated}}
spec: {containers: [{name: app}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {clusterIP: 10.96.0.30, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api-canary, namespace: shop}
spec: {clusterIP: 10.96.0.31, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: api}}, port: http, proxyProtocol: HTTP/1}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: web-only, namespace: shop}
spec:
  identityRefs: [{kind: ServiceAccount, name: web}]
  identities: ["spiffe://cluster.local/ns/ops/sa/prober"]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: office, namespace: shop}
spec: {networks: [{cidr: 192.168.0.0/16, except: [192.168.9.0/24]}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: api-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: web-only}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: api-health, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]
  rules: [{matches: [{path: {type: Exact, value: /healthz}, method: GET}]}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: health-from-office, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: api-health}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: office}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-split, namespace: shop, annotations: {retry.linkerd.io/http: 5xx, retry.linkerd.io/limit: "2", timeout.linkerd.io/request: 3s}}
spec:
  parentRefs: [{group: core, kind: Service, name: api, port: 80}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}]
    backendRefs: [{name: api, port: 80, weight: 80}, {name: api-canary, port: 80, weight: 20}]
`;

async function setup(t: { after: (f: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-policy-api-'));
  const store = await LocalStore.open(dir, { pollMs: 50 });
  await store.apply(parseManifests(APP, 'app.yaml'));
  const running = await startDestinationServer(store, '127.0.0.1:0', { policy: { defaultPolicy: 'all-unauthenticated', clusterNetworks: ['10.0.0.0/8'] } });
  const c = linkerdClients(running.port);
  t.after(async () => {
    c.inbound.close();
    c.outbound.close();
    await running.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, running, c };
}

function first(stream: grpc.ClientReadableStream<Json>, pred: (m: Json) => boolean = () => true, timeoutMs = 2000): Promise<Json> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching message in time')), timeoutMs);
    stream.on('data', (m: Json) => {
      if (!pred(m)) return;
      clearTimeout(timer);
      resolve(m);
    });
    stream.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('WatchPort: a Server with its authorization, route authorizations and labels, as Linkerd encodes them', async (t) => {
  const { c } = await setup(t);
  const stream = c.inbound.WatchPort({ workload: JSON.stringify({ ns: 'shop', pod: 'api-0' }), port: 8080 });
  t.after(() => stream.cancel());
  const srv = await first(stream);
  assert.deepEqual(srv.labels, { group: 'policy.linkerd.io', kind: 'server', name: 'api-http' });
  assert.equal(srv.protocol.kind, 'http1');
  const [authz] = srv.authorizations as Json[];
  assert.equal(srv.authorizations.length, 1);
  assert.deepEqual(authz.metadata.resource, { group: 'policy.linkerd.io', kind: 'AuthorizationPolicy', name: 'api-from-web', namespace: 'shop' });
  assert.deepEqual(authz.authentication.meshTLS.identities.identities.map((i: Json) => i.name).sort(), ['spiffe://cluster.local/ns/ops/sa/prober', 'spiffe://cluster.local/ns/shop/sa/web']);
  // No network authentication: all networks, IPv4 and IPv6.
  assert.deepEqual(authz.networks.map((n: Json) => n.net.prefix_len ?? 0), [0, 0]);
  const [route] = srv.protocol.http1.routes as Json[];
  assert.equal(route.metadata.resource.name, 'api-health');
  assert.deepEqual(route.rules[0].matches[0].path, { exact: '/healthz', kind: 'exact' });
  assert.equal(route.rules[0].matches[0].method.registered, 'GET');
  const net = route.authorizations[0].networks[0];
  assert.equal(net.net.ip.ipv4, (192 << 24 >>> 0) + (168 << 16));
  assert.equal(net.net.prefix_len, 16);
  assert.equal(net.except[0].prefix_len, 24);
  assert.equal(route.authorizations[0].authentication.permit, 'unauthenticated');
});

test('WatchPort: ports without a Server get the default policy, the pod annotation overrides the controller default', async (t) => {
  const { c } = await setup(t);
  const admin = c.inbound.WatchPort({ workload: 'shop:api-0', port: 9990 });
  const legacy = c.inbound.WatchPort({ workload: JSON.stringify({ ns: 'shop', pod: 'legacy-0' }), port: 8080 });
  t.after(() => { admin.cancel(); legacy.cancel(); });
  const a = await first(admin);
  assert.deepEqual(a.labels, { group: '', kind: 'default', name: 'all-unauthenticated' });
  assert.equal(a.authorizations[0].authentication.permit, 'unauthenticated');
  assert.equal(a.protocol.kind, 'detect');
  assert.equal(a.protocol.detect.http_routes[0].metadata.default, 'default');
  const l = await first(legacy);
  assert.equal(l.labels.name, 'cluster-authenticated');
  assert.deepEqual(l.authorizations[0].authentication.meshTLS.identities.suffixes, [{}]);
  assert.equal(l.authorizations[0].networks[0].net.prefix_len, 8);
});

test('WatchPort updates within 1 s of a store change and GetPort answers the same', async (t) => {
  const { c, store } = await setup(t);
  const stream = c.inbound.WatchPort({ workload: JSON.stringify({ ns: 'shop', pod: 'api-0' }), port: 8080 });
  t.after(() => stream.cancel());
  await first(stream);
  const next = first(stream, (m) => (m.authorizations ?? []).length === 0);
  const t0 = Date.now();
  await store.delete([{ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'api-from-web' }]);
  const updated = await next;
  assert.ok(Date.now() - t0 < 1000, `update took ${Date.now() - t0} ms`);
  assert.equal(updated.labels.name, 'api-http');
  const got = await new Promise<Json>((resolve, reject) => c.inbound.GetPort({ workload: 'shop:api-0', port: 8080 }, (e, r) => (e ? reject(e) : resolve(r as Json))));
  assert.deepEqual(got, updated);
});

test('WatchPort rejects a malformed workload with INVALID_ARGUMENT', async (t) => {
  const { c } = await setup(t);
  const stream = c.inbound.WatchPort({ workload: 'not a workload', port: 8080 });
  await assert.rejects(first(stream), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /workload/.test(e.details));
});

test('OutboundPolicies: an HTTPRoute on a Service with weighted backends, retries and timeouts; unknown targets are NOT_FOUND', async (t) => {
  const { c } = await setup(t);
  const stream = c.outbound.Watch({ source_workload: '{"ns":"shop","pod":"web-0"}', authority: 'api.shop.svc.cluster.local:80' });
  t.after(() => stream.cancel());
  const p = await first(stream);
  assert.deepEqual(p.metadata.resource, { group: 'core', kind: 'Service', name: 'api', namespace: 'shop', port: 80 });
  const [route] = p.protocol.detect.http1.routes as Json[];
  assert.equal(route.metadata.resource.name, 'api-split');
  const rule = route.rules[0];
  assert.deepEqual(rule.matches[0].path.prefix, '/v2');
  const backends = rule.backends.random_available.backends as Json[];
  assert.deepEqual(backends.map((b) => [b.backend.backend.balancer.discovery.dst.path, b.weight]), [
    ['api.shop.svc.cluster.local:80', 80], ['api-canary.shop.svc.cluster.local:80', 20],
  ]);
  assert.equal(rule.retry.max_retries, 2);
  assert.deepEqual(rule.retry.conditions.status_ranges, [{ start: 500, end: 599 }]);
  assert.equal(rule.timeouts.request.seconds, '3');
  // By cluster IP, the same policy.
  const byIp = await new Promise<Json>((resolve, reject) =>
    c.outbound.Get({ addr: { ip: { ipv4: (10 << 24 >>> 0) + (96 << 16) + 31 }, port: 80 } }, (e, r) => (e ? reject(e) : resolve(r as Json))));
  assert.equal(byIp.metadata.resource.name, 'api-canary');
  assert.equal(byIp.protocol.detect.http1.routes[0].metadata.default, 'http');
  await assert.rejects(
    new Promise((resolve, reject) => c.outbound.Get({ authority: 'nope.shop.svc.cluster.local:80' }, (e, r) => (e ? reject(e) : resolve(r)))),
    (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND,
  );
});

test('invalid policy in the store never stops the controller: other answers keep flowing', async (t) => {
  const { c, store } = await setup(t);
  // A route whose parent and policies point at nothing that exists, and an authorization
  // requiring an authentication that does not exist (ignored, not widened).
  await store.apply(parseManifests(`
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: dangling, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: api-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: missing}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: orphan, namespace: shop}
spec: {parentRefs: [{kind: Server, name: nowhere}]}
`, 'x.yaml'));
  const stream = c.inbound.WatchPort({ workload: 'shop:api-0', port: 8080 });
  t.after(() => stream.cancel());
  const srv = await first(stream);
  assert.deepEqual(srv.authorizations.map((a: Json) => a.metadata.resource.name), ['api-from-web']);
});

test('a JWTAuthentication travels in weft\'s extension field: a Linkerd-built client decodes the rest unchanged; an unreadable key file drops the policy', async (t) => {
  const { c, store } = await setup(t);
  await store.apply(parseManifests(`
apiVersion: policy.weft.io/v1alpha1
kind: JWTAuthentication
metadata: {name: users, namespace: shop}
spec: {issuer: "https://issuer.test", audiences: [api], jwks: {url: "https://issuer.test/jwks.json"}, claims: [{name: scope, values: [read]}]}
---
apiVersion: policy.weft.io/v1alpha1
kind: JWTAuthentication
metadata: {name: broken, namespace: shop}
spec: {issuer: "https://issuer.test", audiences: [api], jwks: {file: /nonexistent/weft-test/jwks.json}}
---
apiVersion: policy.weft.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-users, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: api-http}
  requiredAuthenticationRefs: [{group: policy.weft.io, kind: JWTAuthentication, name: users}]
---
apiVersion: policy.weft.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-broken, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: api-http}
  requiredAuthenticationRefs: [{group: policy.weft.io, kind: JWTAuthentication, name: broken}]
`, 'jwt.yaml'));
  const stream = c.inbound.WatchPort({ workload: 'shop:api-0', port: 8080 });
  t.after(() => stream.cancel());
  const srv = await first(stream, (m) => m.authorizations.length === 2);
  // Linkerd's Authz has no field 1001: the client sees an authorization open to all networks
  // and unauthenticated clients, which a Linkerd proxy would enforce as such — weft's proxy
  // also requires the token (test/proxy/policy/jwt.test.ts).
  assert.deepEqual(srv.authorizations.map((a: Json) => a.metadata.resource.name), ['api-from-web', 'api-users']);
  const users = (srv.authorizations as Json[])[1];
  assert.equal(users.authentication.permit, 'unauthenticated');
  assert.equal(users.weft_jwt ?? users.weftJwt, undefined, 'unknown to a Linkerd-built client');
});
