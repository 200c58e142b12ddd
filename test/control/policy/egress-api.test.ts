// OutboundPolicies for addresses outside the mesh (EgressNetwork), read by a client built from
// Linkerd's own published outbound.proto (test/fixtures/linkerd-proxy-api): the metadata names
// the EgressNetwork, attached routes come first, the default route forwards to the original
// destination or, under Deny, refuses the way Linkerd's controller says (403 injector, gRPC 7,
// opaque Forbidden). The client's namespace wins over the global egress namespace; the most
// specific network wins within one; Services and pods are never egress.
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
type Outbound = grpc.Client & { Get(req: Json, cb: (e: grpc.ServiceError | null, r?: Json) => void): void; Watch(req: Json): grpc.ClientReadableStream<Json> };

const MANIFESTS = `
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: internet, namespace: weft}
spec: {trafficPolicy: Allow}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: locked, namespace: shop}
spec:
  trafficPolicy: Deny
  networks: [{cidr: 203.0.113.0/24, except: [203.0.113.7/32]}]
---
apiVersion: policy.weft.io/v1alpha1
kind: EgressNetwork
metadata: {name: partner, namespace: shop}
spec:
  trafficPolicy: Allow
  networks: [{cidr: 203.0.113.64/26}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: locked-api, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: EgressNetwork, name: locked}]
  rules: [{matches: [{path: {type: PathPrefix, value: /api}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {clusterIP: 203.0.113.9, ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: shop, labels: {kubernetes.io/service-name: api}}
endpoints: [{addresses: [203.0.113.10]}]
ports: [{name: http, port: 8080}]
`;

const ipv4 = (s: string): number => s.split('.').reduce((n, o) => (n << 8 >>> 0) + Number(o), 0);

async function setup(t: { after: (f: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-egress-api-'));
  const store = await LocalStore.open(dir, { pollMs: 50 });
  await store.apply(parseManifests(MANIFESTS, 'egress.yaml'));
  const running = await startDestinationServer(store, '127.0.0.1:0', { policy: { clusterNetworks: ['10.0.0.0/8'] } });
  const def = protoLoader.loadSync(join(LINKERD_PROTO_DIR, 'outbound.proto'), LINKERD_LOADER);
  const Client = (grpc.loadPackageDefinition(def) as Json).io.linkerd.proxy.outbound.OutboundPolicies;
  const c = new Client(`127.0.0.1:${running.port}`, grpc.credentials.createInsecure()) as Outbound;
  t.after(async () => {
    c.close();
    await running.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const get = (ns: string, ip: string, port: number): Promise<Json> => new Promise((resolve, reject) =>
    c.Get({ source_workload: JSON.stringify({ ns, pod: 'client-0' }), addr: { ip: { ipv4: ipv4(ip) }, port } }, (e, r) => (e ? reject(e) : resolve(r as Json))));
  return { store, c, get };
}

test('an address outside the cluster in no namespace-local EgressNetwork gets the global one (Allow): routes forward to the original destination', async (t) => {
  const { get } = await setup(t);
  const p = await get('web', '198.51.100.5', 443);
  assert.deepEqual(p.metadata.resource, { group: 'policy.linkerd.io', kind: 'EgressNetwork', name: 'internet', namespace: 'weft', port: 443 });
  const [route] = p.protocol.detect.http1.routes as Json[];
  assert.equal(route.metadata.default, 'http-egress-allow');
  assert.equal(route.rules[0].filters, undefined, 'no filters');
  const fwd = route.rules[0].backends.first_available.backends[0].backend;
  assert.equal(fwd.metadata.resource.name, 'internet');
  assert.deepEqual(fwd.forward.addr, { ip: { ip: 'ipv4', ipv4: ipv4('198.51.100.5') }, port: 443 });
  const opaque = p.protocol.detect.opaque.routes[0];
  assert.equal(opaque.metadata.default, 'tcp-egress-allow');
  assert.equal(opaque.rules[0].filters, undefined, 'no filters');
  // An address inside the cluster networks is nobody's egress: NOT_FOUND, as before.
  await assert.rejects(get('web', '10.1.2.3', 80), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
});

test('Deny in the client namespace: attached routes first, then a default route that refuses with 403 / Forbidden', async (t) => {
  const { get } = await setup(t);
  const p = await get('shop', '203.0.113.5', 80);
  assert.equal(p.metadata.resource.name, 'locked');
  assert.equal(p.metadata.resource.namespace, 'shop');
  const routes = p.protocol.detect.http1.routes as Json[];
  assert.deepEqual(routes.map((r) => r.metadata.resource?.name ?? r.metadata.default), ['locked-api', 'http-egress-deny']);
  assert.equal(routes[0].rules[0].matches[0].path.prefix, '/api');
  assert.deepEqual(routes[0].rules[0].backends.first_available.backends[0].backend.forward.addr.port, 80);
  assert.deepEqual(routes[1].rules[0].filters, [{ kind: 'failure_injector', failure_injector: { status: 403, message: 'traffic not allowed' } }]);
  assert.deepEqual(p.protocol.detect.opaque.routes[0].rules[0].filters, [{ kind: 'forbidden', forbidden: {} }]);
  // Another namespace's clients do not see shop's EgressNetworks: the global one applies.
  assert.equal((await get('web', '203.0.113.5', 80)).metadata.resource.name, 'internet');
});

test('the most specific network wins, an except falls through, and Services and pods are never egress', async (t) => {
  const { get } = await setup(t);
  assert.equal((await get('shop', '203.0.113.70', 80)).metadata.resource.name, 'partner', '/26 is more specific than /24');
  assert.equal((await get('shop', '203.0.113.70', 80)).metadata.resource.group, 'policy.weft.io');
  // 203.0.113.7 is excepted from `locked` (and in no other of shop's): the global Allow applies.
  assert.equal((await get('shop', '203.0.113.7', 80)).metadata.resource.name, 'internet');
  const svc = await get('shop', '203.0.113.9', 80);
  assert.deepEqual(svc.metadata.resource.kind, 'Service');
  await assert.rejects(get('shop', '203.0.113.10', 8080), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND, 'a pod');
  assert.equal((await get('shop', '203.0.113.10', 9999)).metadata.resource.name, 'locked', 'not a port of the pod');
});

test('a watch follows the EgressNetwork: Deny to Allow, then deleted (empty answer: the original destination as before)', async (t) => {
  const { c, store } = await setup(t);
  const stream = c.Watch({ source_workload: '{"ns":"shop"}', addr: { ip: { ipv4: ipv4('203.0.113.5') }, port: 80 } });
  t.after(() => stream.cancel());
  const seen: Json[] = [];
  stream.on('data', (m: Json) => seen.push(m));
  stream.on('error', () => {});
  const next = async (pred: (m: Json) => boolean): Promise<Json> => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const m = seen.find(pred);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no matching message; seen ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const defaultName = (m: Json): string | undefined => (m.protocol?.detect?.http1?.routes as Json[] | undefined)?.at(-1)?.metadata.default;
  await next((m) => defaultName(m) === 'http-egress-deny');
  await store.apply(parseManifests(`
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: {name: locked, namespace: shop}
spec: {trafficPolicy: Allow, networks: [{cidr: 203.0.113.0/24}]}
`, 'x.yaml'));
  await next((m) => defaultName(m) === 'http-egress-allow');
  await store.delete([{ kind: 'EgressNetwork', namespace: 'shop', name: 'locked' }, { kind: 'EgressNetwork', namespace: 'weft', name: 'internet' }]);
  const last = await next((m) => m.metadata === undefined || m.metadata === null);
  assert.equal(last.protocol ?? undefined, undefined);
});
