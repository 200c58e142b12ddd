// Regression (issue 18, items 2-4 and the profile-by-IP answers): weft's Destination server
// read the way a Linkerd proxy reads it, through a client built from Linkerd's published
// destination.proto (linkerd-client.ts), so every field checked here is checked by Linkerd's
// field number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer } from '../../../src/control/destination/server.js';
import { StreamReader, ipv4 } from './grpc-helpers.js';
import { PROFILE, WEB } from './fixtures.js';
import { linkerdDestinationClient, type LProfile, type LRetryBudget, type LUpdate, type LWeightedAddr } from './linkerd-client.js';

// A database whose service port (5432) targets another pod port (15432); its pod's proxy
// listens on 4243 for inbound traffic; a second endpoint is not a pod (not meshed).
const PG = `
apiVersion: v1
kind: Service
metadata: {name: pg, namespace: shop}
spec:
  clusterIP: 10.96.0.30
  ports: [{name: pg, port: 5432, targetPort: 15432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: pg-a, namespace: shop, labels: {kubernetes.io/service-name: pg}}
endpoints:
- addresses: [10.1.0.5]
  targetRef: {kind: Pod, name: pg-0, namespace: shop, serviceAccountName: pg, proxyInboundPort: 4243}
- addresses: [10.1.0.6]
ports: [{name: pg, port: 15432}]
---
apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata: {name: pg.shop.svc.cluster.local, namespace: shop}
spec:
  opaquePorts: [5432]
  retryBudget: {retryRatio: 0.5, minRetriesPerSecond: 3, ttl: 20s}
  routes:
  - name: all
    condition: {pathRegex: /.*}
    responseClasses:
    - condition: {status: {min: 404}}
      isFailure: true
    - condition: {status: {max: 299}}
      isFailure: false
    - condition: {status: {min: 500, max: 599}}
      isFailure: true
`;

async function setup(t: { after(fn: () => Promise<void> | void): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-dst-l5d-'));
  const store = await LocalStore.open(dir, { follow: false });
  await store.apply(parseManifests(WEB + '---' + PROFILE('300ms') + '---' + PG, 'shop.yaml'));
  const server = await startDestinationServer(store, '127.0.0.1:0');
  const client = linkerdDestinationClient(server.port);
  t.after(async () => {
    client.close();
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const first = async <T>(call: grpc.ClientReadableStream<T>): Promise<T> => {
    t.after(() => call.cancel());
    return new StreamReader(call).next();
  };
  return {
    get: (path: string): Promise<LUpdate> => first(client.Get({ path })),
    profile: (path: string): Promise<LProfile> => first(client.GetProfile({ path })),
  };
}

const where = (w: LWeightedAddr | undefined): string => `${ipv4(w?.addr?.ip?.ipv4)}:${w?.addr?.port}`;
const byAddr = (u: LUpdate): Map<string, LWeightedAddr> => new Map((u.add?.addrs ?? []).map((w) => [where(w), w]));

test('linkerd_get_by_pod_ip_on_an_opaque_port_hints_opaque_as_the_service_lookup_and_the_profile_do', async (t) => {
  const { get, profile } = await setup(t);
  // Service lookup: both endpoints of the opaque port are hinted opaque.
  const svc = await get('web.shop.svc.cluster.local:3306');
  assert.deepEqual([...byAddr(svc).values()].map((w) => w.protocol_hint?.protocol), ['opaque', 'opaque']);
  // The same pod by IP (it used to say h2), and its profile.
  const pod = byAddr(await get('10.1.0.1:3306')).get('10.1.0.1:3306');
  assert.equal(pod?.protocol_hint?.protocol, 'opaque');
  assert.equal(pod?.protocol_hint?.h2, undefined);
  const prof = await profile('10.1.0.1:3306');
  assert.equal(prof.opaque_protocol, true);
  assert.equal(prof.endpoint?.protocol_hint?.protocol, 'opaque');
  // The pod's HTTP port stays h2.
  assert.equal(byAddr(await get('10.1.0.1:8080')).get('10.1.0.1:8080')?.protocol_hint?.protocol, 'h2');
  // The rule is the service's: pod port 15432 serves the opaque service port 5432.
  assert.equal(byAddr(await get('pg.shop.svc.cluster.local:5432')).get('10.1.0.5:15432')?.protocol_hint?.protocol, 'opaque');
  assert.equal(byAddr(await get('10.1.0.5:15432')).get('10.1.0.5:15432')?.protocol_hint?.protocol, 'opaque');
  assert.equal((await profile('10.1.0.5:15432')).opaque_protocol, true);
});

test('linkerd_meshed_endpoints_of_opaque_ports_carry_opaque_transport_inbound_port', async (t) => {
  const { get, profile } = await setup(t);
  for (const w of byAddr(await get('web.shop.svc.cluster.local:3306')).values()) {
    assert.deepEqual(w.protocol_hint?.opaque_transport, { inbound_port: 4143 }, where(w));
  }
  assert.deepEqual(byAddr(await get('10.1.0.1:3306')).get('10.1.0.1:3306')?.protocol_hint?.opaque_transport, { inbound_port: 4143 });
  // Not on an HTTP port.
  for (const w of byAddr(await get('web.shop.svc.cluster.local:80')).values()) assert.equal(w.protocol_hint?.opaque_transport, undefined);
  // The pod's own inbound port when its targetRef names one; nothing for an endpoint that is no pod.
  const pg = byAddr(await get('pg.shop.svc.cluster.local:5432'));
  assert.deepEqual(pg.get('10.1.0.5:15432')?.protocol_hint?.opaque_transport, { inbound_port: 4243 });
  assert.equal(pg.get('10.1.0.6:15432')?.protocol_hint, undefined);
  assert.deepEqual((await profile('10.1.0.5:15432')).endpoint?.protocol_hint?.opaque_transport, { inbound_port: 4243 });
});

test('linkerd_one_sided_status_ranges_are_sent_as_that_one_status', async (t) => {
  const { profile } = await setup(t);
  const p = await profile('pg.shop.svc.cluster.local:5432');
  const classes = p.routes?.[0]?.response_classes ?? [];
  // min: 404 alone is 404 (not 404-599), max: 299 alone is 299 (not 100-299); both bounds are on
  // the wire, because Linkerd's proxy drops a status match with a bound of 0.
  assert.deepEqual(classes.map((c) => [c.condition?.status, c.is_failure ?? false]), [
    [{ min: 404, max: 404 }, true],
    [{ min: 299, max: 299 }, false],
    [{ min: 500, max: 599 }, true],
  ]);
});

const budget = (b: LRetryBudget | undefined): [number, number | undefined, string | undefined] =>
  [Math.round((b?.retry_ratio ?? 0) * 1000) / 1000, b?.min_retries_per_second, b?.ttl?.seconds];

test('linkerd_getprofile_by_ip_answers_as_linkerd_default_profile_for_an_unknown_ip_default_budget_for_a_pod', async (t) => {
  const { profile } = await setup(t);
  // An IP no pod or service holds: a default profile naming the address (not NOT_FOUND).
  const unknown = await profile('10.9.9.9:80');
  // (proto3: a zero value sent or left out reads the same)
  assert.equal(unknown.fully_qualified_name ?? '', '');
  assert.equal(unknown.opaque_protocol ?? false, false);
  assert.deepEqual(budget(unknown.retry_budget), [0.2, 10, '10']);
  assert.equal(where(unknown.endpoint), '10.9.9.9:80');
  assert.equal(unknown.endpoint?.weight, 10_000);
  assert.equal(unknown.endpoint?.tls_identity, undefined);
  assert.equal(unknown.endpoint?.protocol_hint, undefined);
  // The service's own budget by name and by cluster IP; a pod IP gets the default, as in Linkerd.
  assert.deepEqual(budget((await profile('pg.shop.svc.cluster.local:5432')).retry_budget), [0.5, 3, '20']);
  assert.deepEqual(budget((await profile('10.96.0.30:5432')).retry_budget), [0.5, 3, '20']);
  const pod = await profile('10.1.0.5:15432');
  assert.deepEqual(budget(pod.retry_budget), [0.2, 10, '10']);
  assert.equal(pod.endpoint?.tls_identity?.uri_like_identity?.uri, 'spiffe://cluster.local/ns/shop/sa/pg');
  // A port the service does not declare: an empty profile (no name to resolve), as Linkerd.
  assert.deepEqual(await profile('web.shop.svc.cluster.local:81'), {});
  // An unknown name is still NOT_FOUND (docs/destination.md, differences).
  await assert.rejects(profile('nope.shop.svc.cluster.local:80'), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
});
