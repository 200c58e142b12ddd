// Inbound authorization end to end: a real policy API (the destination server over a local
// store holding Linkerd-shaped policy), an inbound proxy enforcing it, and client proxies with
// real certificates from a test CA (the CA's own certificate code) as different identities.
import { Logger } from '../../../src/lib/log.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer, type RunningDestination } from '../../../src/control/destination/server.js';
import * as grpc from '@grpc/grpc-js';
import { curl } from '../../helpers/exec.js';
import { echoClient, startGrpcEcho, unary } from '../../helpers/grpc-echo.js';
import { metricValue, startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend, tcpBackend, type Backend } from '../../helpers/servers.js';
import { testPki, type TestPki } from '../tls/fixtures.js';

const WEB = workloadId('shop', 'web');
const OTHER = workloadId('shop', 'other');
const CATALOG = workloadId('shop', 'catalog');
const webId = formatSpiffe(WEB);
const otherId = formatSpiffe(OTHER);
const catalogId = formatSpiffe(CATALOG);
const WORKLOAD = JSON.stringify({ ns: 'shop', pod: 'catalog-0' });

function policy(appPort: number): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: catalog-0, namespace: shop, labels: {app: catalog}}
spec: {serviceAccountName: catalog, containers: [{name: app, ports: [{name: http, containerPort: ${appPort}}]}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: catalog-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: catalog}}, port: http}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: web-only, namespace: shop}
spec: {identityRefs: [{kind: ServiceAccount, name: web}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: catalog-from-web, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: catalog-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: web-only}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: everything, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: catalog-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /}}]}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: lan, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: catalog-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /lan}}]}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: lan-except-me, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: catalog-http}]
  rules: [{matches: [{path: {type: Exact, value: /lan-except}}]}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: moved, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: catalog-http}]
  rules:
    - matches: [{path: {type: Exact, value: /old}}]
      filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}, statusCode: 301}}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: loopback, namespace: shop}
spec: {networks: [{cidr: 127.0.0.0/8}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: loopback-but-me, namespace: shop}
spec: {networks: [{cidr: 127.0.0.0/8, except: [127.0.0.1/32]}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: lan-from-loopback, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: lan}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: loopback}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: lan-except-from-loopback, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: lan-except-me}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: loopback-but-me}]
`;
}

async function clientProxy(pki: TestPki, id: ReturnType<typeof workloadId>, to: Address): Promise<ProxyHandle> {
  return startTestProxy(
    { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(to), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: catalogId, WEFT_PROXY_DETECT_TIMEOUT_MS: '300' },
    { tlsIdentity: Object.assign(await pki.identity(id), { localName: formatSpiffe(id) }) },
  );
}

describe('inbound authorization from the policy API', () => {
  let pki: TestPki;
  let app: Backend;
  let dir: string;
  let store: LocalStore;
  let control: RunningDestination | undefined;
  let inbound: ProxyHandle;
  let web: ProxyHandle;
  let other: ProxyHandle;
  /** What the inbound proxy logged at info (the policy watch's outage lines). */
  const inboundLog: string[] = [];

  before(async () => {
    pki = await testPki();
    app = await httpBackend();
    dir = await mkdtemp(join(tmpdir(), 'weft-authz-'));
    store = await LocalStore.open(dir, { pollMs: 50 });
    await store.apply(parseManifests(policy(app.addr.port), 'policy.yaml'));
    control = await startDestinationServer(store, '127.0.0.1:0');
    inbound = await startTestProxy(
      {
        WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr),
        WEFT_PROXY_DETECT_TIMEOUT_MS: '300',
        WEFT_PROXY_POLICY_SVC_ADDR: `127.0.0.1:${control.port}`,
        WEFT_PROXY_POLICY_WORKLOAD: WORKLOAD,
        WEFT_PROXY_POLICY_INITIAL_WAIT_MS: '2000',
      },
      { tlsIdentity: Object.assign(await pki.identity(CATALOG), { localName: catalogId }), log: new Logger('info', 'weft-proxy', (l) => inboundLog.push(l)) },
    );
    web = await clientProxy(pki, WEB, inbound.inbound);
    other = await clientProxy(pki, OTHER, inbound.inbound);
  });
  after(async () => {
    await web.close();
    await other.close();
    await inbound.close();
    await control?.close();
    await store.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the allowed identity gets through and is counted against the Server, route and policy', async () => {
    const r = await curl([url(web.outbound, '/items')]);
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).headers['weft-client-id'], webId);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', {
      srv_kind: 'server', srv_name: 'catalog-http', route_name: 'everything', authz_kind: 'authorizationpolicy', authz_name: 'catalog-from-web', client_id: webId, tls: 'true',
    }), 1);
  });

  test('every request on a reused connection is counted, in the series of what allowed it', async () => {
    const labels = { srv_name: 'catalog-http', route_name: 'everything', authz_name: 'catalog-from-web', client_id: webId };
    const before = await metricValue(inbound, 'inbound_http_authz_allow_total', labels);
    // web's proxy carries these over one pooled connection to the inbound proxy.
    for (let i = 0; i < 3; i++) assert.equal((await curl([url(web.outbound, '/items')])).status, 200);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', labels) - before, 3);
    // Another route on the same connection: its own series.
    assert.equal((await curl([url(web.outbound, '/lan-except')])).status, 200);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', labels) - before, 3);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', { route_name: 'lan-except-me', authz_name: 'catalog-from-web', client_id: webId }), 1);
  });

  test('an allowed request on a route with a RequestRedirect filter gets the redirect, through the client proxy', async () => {
    const r = await curl([url(web.outbound, '/old')]);
    assert.equal(r.status, 301, r.body);
    assert.match(String(r.headers['location']), /\/new$/);
  });

  test('another identity is refused with 403 and weft-proxy-error, and counted as denied', async () => {
    const r = await curl([url(other.outbound, '/items')]);
    assert.equal(r.status, 403, r.body);
    assert.equal(r.headers['weft-proxy-error'], 'unauthorized request on route httproute/everything of server/catalog-http');
    assert.equal(await metricValue(inbound, 'inbound_http_authz_deny_total', { srv_name: 'catalog-http', route_name: 'everything', client_id: otherId }), 1);
  });

  test('an unauthenticated client is refused', async () => {
    const r = await curl([url(inbound.inbound, '/items')]);
    assert.equal(r.status, 403, r.body);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_deny_total', { srv_name: 'catalog-http', tls: 'no_identity' }), 1);
  });

  test('a network authentication admits clients by address, honouring except', async () => {
    const lan = await curl([url(inbound.inbound, '/lan/status')]);
    assert.equal(lan.status, 200, lan.body);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', { route_name: 'lan', authz_name: 'lan-from-loopback', tls: 'no_identity' }), 1);
    // 127.0.0.1 is excepted from that network: refused, although the server authorization
    // would admit web (the route's own policy is what is added, not what replaces).
    const except = await curl([url(inbound.inbound, '/lan-except')]);
    assert.equal(except.status, 403, except.body);
    const webExcept = await curl([url(web.outbound, '/lan-except')]);
    assert.equal(webExcept.status, 200, webExcept.body);
  });

  test('a policy change takes effect within a second', async () => {
    await store.apply(parseManifests(`
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: catalog-from-other, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: catalog-http}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: other}]
`, 'more.yaml'));
    const t0 = Date.now();
    let status = 0;
    while (Date.now() - t0 < 1000) {
      status = (await curl([url(other.outbound, '/items')])).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 200, `other still refused ${Date.now() - t0} ms after the change`);
    await store.delete([{ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'catalog-from-other' }]);
    const t1 = Date.now();
    while (Date.now() - t1 < 1000 && (await curl([url(other.outbound, '/items')])).status !== 403) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await curl([url(other.outbound, '/items')])).status, 403);
  });

  test('policy changed under load: the allowed client loses no request while others come and go', async () => {
    // Four keep-alive clients send through web's proxy back to back while the policy changes six
    // times (another client's authorization added and removed, the Server's own routes edited):
    // every change replaces the proxy's policy, and no allowed request may fall in the gap.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const statuses = new Map<number, number>();
    let stop = false;
    const get = (): Promise<number> => new Promise((resolve) => {
      const req = http.get({ host: web.outbound.host, port: web.outbound.port, path: '/items', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
    });
    const client = async (): Promise<void> => {
      while (!stop) {
        const s = await get();
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    const fromOther = { kind: 'AuthorizationPolicy' as const, namespace: 'shop', name: 'catalog-from-other-2' };
    const extraRoute = { kind: 'HTTPRoute' as const, namespace: 'shop', name: 'extra' };
    for (let i = 0; i < 3; i++) {
      await store.apply(parseManifests(`
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: catalog-from-other-2, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: catalog-http}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: other}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: extra, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: catalog-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /extra-${i}}}]}]
`, 'churn.yaml'));
      await new Promise((r) => setTimeout(r, 300));
      await store.delete([fromOther, extraRoute]);
      await new Promise((r) => setTimeout(r, 300));
    }
    stop = true;
    await Promise.all(clients);
    agent.destroy();
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.ok(total >= 50, `only ${total} requests in 1.8 s`);
    assert.deepEqual(Object.fromEntries(statuses), { 200: total }, `statuses over ${total} requests`);
  });

  test('with the control plane gone, the last policy is still enforced', async () => {
    await control?.close();
    control = undefined;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await curl([url(web.outbound, '/after')])).status, 200);
    assert.equal((await curl([url(other.outbound, '/after')])).status, 403);
    assert.equal((await curl([url(inbound.inbound, '/after')])).status, 403);
    // Retried every 100-500 ms meanwhile, and said once per port at info, not at every retry.
    await new Promise((r) => setTimeout(r, 1500));
    const lost = inboundLog.filter((l) => l.includes('inbound policy watch lost'));
    const ports = new Set(lost.map((l) => /port=(\d+)/.exec(l)?.[1]));
    assert.ok(lost.length >= 1 && lost.length === ports.size, lost.join('\n'));
  });
});

describe('default inbound policies (no policy API)', () => {
  let pki: TestPki;
  let app: Backend;
  before(async () => {
    pki = await testPki();
    app = await httpBackend();
  });
  after(() => app.close());

  async function withDefault(name: string, t: { after: (f: () => Promise<void>) => void }, extra: Record<string, string> = {}) {
    const inbound = await startTestProxy(
      { WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_DETECT_TIMEOUT_MS: '300', WEFT_PROXY_INBOUND_DEFAULT_POLICY: name, ...extra },
      { tlsIdentity: Object.assign(await pki.identity(CATALOG), { localName: catalogId }) },
    );
    const web = await clientProxy(pki, WEB, inbound.inbound);
    t.after(async () => {
      await web.close();
      await inbound.close();
    });
    return { inbound, web };
  }

  test('deny refuses everyone, meshed or not', async (t) => {
    const { inbound, web } = await withDefault('deny', t);
    assert.equal((await curl([url(web.outbound, '/')])).status, 403);
    assert.equal((await curl([url(inbound.inbound, '/')])).status, 403);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_deny_total', { srv_kind: 'default', srv_name: 'deny' }), 2);
  });

  test('a refused gRPC call gets PERMISSION_DENIED; an allowed one goes through', async (t) => {
    const g = await startGrpcEcho();
    t.after(() => g.close());
    const deny = await startTestProxy(
      { WEFT_PROXY_INBOUND_DEFAULT_DST: `127.0.0.1:${g.port}`, WEFT_PROXY_DETECT_TIMEOUT_MS: '300', WEFT_PROXY_INBOUND_DEFAULT_POLICY: 'deny' },
      { tlsIdentity: Object.assign(await pki.identity(CATALOG), { localName: catalogId }) },
    );
    const web = await clientProxy(pki, WEB, deny.inbound);
    const c = echoClient(formatAddress(web.outbound));
    t.after(async () => {
      c.close();
      await web.close();
      await deny.close();
    });
    await assert.rejects(unary(c, { text: 'hi', n: 1 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /unauthorized/.test(e.details));
    const allow = await startTestProxy(
      { WEFT_PROXY_INBOUND_DEFAULT_DST: `127.0.0.1:${g.port}`, WEFT_PROXY_DETECT_TIMEOUT_MS: '300', WEFT_PROXY_INBOUND_DEFAULT_POLICY: 'all-authenticated' },
      { tlsIdentity: Object.assign(await pki.identity(CATALOG), { localName: catalogId }) },
    );
    const web2 = await clientProxy(pki, WEB, allow.inbound);
    const c2 = echoClient(formatAddress(web2.outbound));
    t.after(async () => {
      c2.close();
      await web2.close();
      await allow.close();
    });
    assert.equal((await unary(c2, { text: 'hi', n: 1 })).text, 'echo:hi');
  });

  test('all-authenticated admits meshed clients only', async (t) => {
    const { inbound, web } = await withDefault('all-authenticated', t);
    assert.equal((await curl([url(web.outbound, '/')])).status, 200);
    assert.equal((await curl([url(inbound.inbound, '/')])).status, 403);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', { authz_kind: 'default', authz_name: 'all-authenticated', client_id: webId }), 1);
  });

  test('cluster-unauthenticated admits by address only', async (t) => {
    const inside = await withDefault('cluster-unauthenticated', t);
    assert.equal((await curl([url(inside.inbound.inbound, '/')])).status, 200);
    const outside = await withDefault('cluster-unauthenticated', t, { WEFT_PROXY_INBOUND_CLUSTER_NETWORKS: '10.0.0.0/8' });
    assert.equal((await curl([url(outside.inbound.inbound, '/')])).status, 403);
  });

  test('audit allows, and counts what it allowed under the audit authorization', async (t) => {
    const { inbound } = await withDefault('audit', t);
    assert.equal((await curl([url(inbound.inbound, '/')])).status, 200);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', { authz_kind: 'default', authz_name: 'audit', tls: 'no_identity' }), 1);
  });

  test('a policy API that never answers: the configured default applies after the initial wait', async (t) => {
    const dead = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => dead.close(() => r())));
    const { inbound } = await withDefault('deny', t, {
      WEFT_PROXY_POLICY_SVC_ADDR: `127.0.0.1:${(dead.address() as net.AddressInfo).port}`,
      WEFT_PROXY_POLICY_WORKLOAD: WORKLOAD,
      WEFT_PROXY_POLICY_INITIAL_WAIT_MS: '200',
    });
    const t0 = Date.now();
    assert.equal((await curl([url(inbound.inbound, '/')])).status, 403);
    assert.ok(Date.now() - t0 >= 150, 'the first request did not wait for the policy API');
  });

  test('opaque TCP from a client the policy refuses is closed without reaching the app', async (t) => {
    let reached = 0;
    const tcp = await tcpBackend((s) => {
      reached++;
      s.pipe(s);
    });
    t.after(() => tcp.close());
    const inbound = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(tcp.addr), WEFT_PROXY_DETECT_TIMEOUT_MS: '200', WEFT_PROXY_INBOUND_DEFAULT_POLICY: 'all-authenticated' });
    t.after(() => inbound.close());
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(inbound.inbound.port, '127.0.0.1', () => s.write('\x00\x01binary-hello'));
      let data = '';
      s.on('data', (c) => (data += c.toString()));
      s.on('close', () => resolve(data));
      s.on('error', () => undefined);
      setTimeout(() => s.destroy(), 3000);
    });
    assert.equal(got, '');
    assert.equal(reached, 0);
    assert.equal(await metricValue(inbound, 'inbound_tcp_authz_deny_total', { srv_name: 'all-authenticated', tls: 'no_identity' }), 1);
  });
});
