// JWT validation on inbound routes end to end: a JWTAuthentication (policy.weft.io) required by
// AuthorizationPolicies, served by the real policy API over a local store, enforced by an inbound
// proxy per request. Keys: one set in a file the controller reads (sent inline), one served by a
// real HTTP server the proxy fetches — and fetches again after the issuer rotates its key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { formatAddress } from '../../../src/lib/address.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer, type RunningDestination } from '../../../src/control/destination/server.js';
import { metricValue, startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend, type Backend } from '../../helpers/servers.js';

const ISSUER = 'https://issuer.test';

interface Key {
  readonly kid: string;
  readonly priv: KeyLike;
  readonly jwk: JWK;
}

async function key(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, priv: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

async function token(k: Key, o: { aud?: string; iss?: string; expiresIn?: string | number; claims?: Record<string, unknown> } = {}): Promise<string> {
  return new SignJWT({ ...o.claims }).setProtectedHeader({ alg: 'ES256', kid: k.kid })
    .setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? 'catalog').setIssuedAt().setExpirationTime(o.expiresIn ?? '5m').sign(k.priv);
}

function policy(appPort: number, jwksFile: string, jwksUrl: string): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: catalog-0, namespace: shop, labels: {app: catalog}}
spec: {containers: [{name: app, ports: [{name: http, containerPort: ${appPort}}]}]}
---
apiVersion: policy.weft.io/v1beta3
kind: Server
metadata: {name: catalog-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: catalog}}, port: http}
---
apiVersion: policy.weft.io/v1beta3
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{group: policy.weft.io, kind: Server, name: catalog-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /api}}]}]
---
apiVersion: policy.weft.io/v1beta3
kind: HTTPRoute
metadata: {name: admin, namespace: shop}
spec:
  parentRefs: [{group: policy.weft.io, kind: Server, name: catalog-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /admin}}]}]
---
apiVersion: policy.weft.io/v1alpha1
kind: JWTAuthentication
metadata: {name: users, namespace: shop}
spec:
  issuer: ${ISSUER}
  audiences: [catalog, catalog-v2]
  jwks: {url: "${jwksUrl}"}
---
apiVersion: policy.weft.io/v1alpha1
kind: JWTAuthentication
metadata: {name: admins, namespace: shop}
spec:
  issuer: ${ISSUER}
  audiences: [catalog]
  jwks: {file: ${jwksFile}}
  claims: [{name: scope, values: [admin]}]
---
apiVersion: policy.weft.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-users, namespace: shop}
spec:
  targetRef: {group: policy.weft.io, kind: HTTPRoute, name: api}
  requiredAuthenticationRefs: [{group: policy.weft.io, kind: JWTAuthentication, name: users}]
---
apiVersion: policy.weft.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: admin-admins, namespace: shop}
spec:
  targetRef: {group: policy.weft.io, kind: HTTPRoute, name: admin}
  requiredAuthenticationRefs: [{group: policy.weft.io, kind: JWTAuthentication, name: admins}]
`;
}

describe('JWT validation on inbound routes', () => {
  let app: Backend;
  let dir: string;
  let store: LocalStore;
  let control: RunningDestination | undefined;
  let inbound: ProxyHandle;
  let jwks: http.Server;
  let served: JWK[] = [];
  let fetches = 0;
  let k1: Key;
  let k2: Key;
  let adminKey: Key;
  let stranger: Key;

  const call = async (path: string, bearer?: string): Promise<{ status: number; error: string; challenge: string; body: string }> => {
    const r = await fetch(url(inbound.inbound, path), { headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, signal: AbortSignal.timeout(5000) });
    return { status: r.status, error: r.headers.get('weft-proxy-error') ?? '', challenge: r.headers.get('www-authenticate') ?? '', body: await r.text() };
  };

  before(async () => {
    [k1, k2, adminKey, stranger] = await Promise.all([key('k1'), key('k2'), key('admin'), key('k1')]);
    served = [k1.jwk];
    jwks = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    app = await httpBackend();
    dir = await mkdtemp(join(tmpdir(), 'weft-jwt-'));
    const file = join(dir, 'admins.jwks.json');
    await writeFile(file, JSON.stringify({ keys: [adminKey.jwk] }));
    store = await LocalStore.open(join(dir, 'state'), { pollMs: 50 });
    await store.apply(parseManifests(policy(app.addr.port, file, `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`), 'policy.yaml'));
    control = await startDestinationServer(store, '127.0.0.1:0');
    inbound = await startTestProxy({
      WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr),
      WEFT_PROXY_POLICY_SVC_ADDR: `127.0.0.1:${control.port}`,
      WEFT_PROXY_POLICY_WORKLOAD: JSON.stringify({ ns: 'shop', pod: 'catalog-0' }),
      WEFT_PROXY_POLICY_INITIAL_WAIT_MS: '2000',
    });
  });
  after(async () => {
    await inbound.close();
    await control?.close();
    await store.close();
    await app.close();
    await new Promise((r) => jwks.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('a valid token from the issuer for one of the audiences is accepted, and counted against its policy', async () => {
    const r = await call('/api/items', await token(k1, { aud: 'catalog-v2' }));
    assert.equal(r.status, 200, r.body);
    assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', { route_name: 'api', authz_name: 'api-users' }), 1);
  });

  test('no token: 401 with a Bearer challenge and weft-proxy-error', async () => {
    const r = await call('/api/items');
    assert.equal(r.status, 401, r.body);
    assert.equal(r.challenge, 'Bearer realm="catalog-http"');
    assert.match(r.error, /^unauthenticated request on route httproute\/api of server\/catalog-http: bearer token required \(jwtauthentication\/users\)$/);
    assert.ok(await metricValue(inbound, 'inbound_http_authz_deny_total', { route_name: 'api' }) >= 1);
  });

  test('an expired token: 401 invalid_token, "token expired"', async () => {
    const r = await call('/api/items', await token(k1, { expiresIn: Math.floor(Date.now() / 1000) - 120 }));
    assert.equal(r.status, 401, r.body);
    assert.match(r.challenge, /^Bearer realm="catalog-http", error="invalid_token", error_description=".*token expired/);
    assert.match(r.error, /token expired \(jwtauthentication\/users\)/);
  });

  test('a token for another audience, or from another issuer: 401', async () => {
    const aud = await call('/api/items', await token(k1, { aud: 'billing' }));
    assert.equal(aud.status, 401, aud.body);
    assert.match(aud.error, /token audience is not one of catalog, catalog-v2/);
    const iss = await call('/api/items', await token(k1, { iss: 'https://evil.test' }));
    assert.equal(iss.status, 401, iss.body);
    assert.match(iss.error, /token issuer is not https:\/\/issuer\.test/);
  });

  test('a bad signature (another key under the same kid, or a tampered payload): 401', async () => {
    const forged = await call('/api/items', await token(stranger));
    assert.equal(forged.status, 401, forged.body);
    assert.match(forged.error, /token signature does not verify/);
    const [h, , s] = (await token(k1)).split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: 'catalog', exp: 9999999999, sub: 'root' })).toString('base64url')}.${s}`;
    const t = await call('/api/items', tampered);
    assert.equal(t.status, 401, t.body);
    assert.match(t.error, /token signature does not verify/);
    assert.equal((await call('/api/items', 'not-a-jwt')).status, 401);
  });

  test('required claims: a token without them is 403 insufficient_scope; with them, admitted (keys from a file)', async () => {
    const noScope = await call('/admin/users', await token(adminKey, { claims: { scope: 'read write' } }));
    assert.equal(noScope.status, 403, noScope.body);
    assert.match(noScope.challenge, /error="insufficient_scope"/);
    assert.match(noScope.error, /^unauthorized request on route httproute\/admin of server\/catalog-http: token claim scope is not one of admin \(jwtauthentication\/admins\)$/);
    const ok = await call('/admin/users', await token(adminKey, { claims: { scope: 'read admin' } }));
    assert.equal(ok.status, 200, ok.body);
    // A users' token (another key set) does not open the admin route.
    assert.equal((await call('/admin/users', await token(k1, { claims: { scope: 'admin' } }))).status, 401);
  });

  test('over HTTP/2 too: a valid token is admitted, none gets 401 with the challenge', async () => {
    const session = http2.connect(url(inbound.inbound, '/'));
    try {
      const h2get = (bearer?: string): Promise<http2.IncomingHttpHeaders> => new Promise((resolve, reject) => {
        const req = session.request({ ':path': '/api/items', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) });
        req.on('response', (h) => {
          req.resume();
          req.on('end', () => resolve(h));
        });
        req.on('error', reject);
        req.end();
      });
      // Admitted and counted; what follows is forwarding (this test's app speaks HTTP/1 only, so
      // the h2 request itself ends in a 502 from the forward, not from authorization).
      const before = await metricValue(inbound, 'inbound_http_authz_allow_total', { route_name: 'api', authz_name: 'api-users' });
      const ok = await h2get(await token(k1));
      assert.ok(Number(ok[':status']) !== 401 && Number(ok[':status']) !== 403 && !/unauth/.test(String(ok['weft-proxy-error'] ?? '')), JSON.stringify(ok));
      assert.equal(await metricValue(inbound, 'inbound_http_authz_allow_total', { route_name: 'api', authz_name: 'api-users' }) - before, 1);
      const denied = await h2get();
      assert.equal(Number(denied[':status']), 401);
      assert.equal(denied['www-authenticate'], 'Bearer realm="catalog-http"');
      assert.match(String(denied['weft-proxy-error']), /bearer token required/);
    } finally {
      session.close();
    }
  });

  test('the issuer rotates its key: the proxy fetches the key set again and accepts the new key, not the old', async () => {
    assert.equal((await call('/api/items', await token(k1))).status, 200);
    const before = fetches;
    served = [k2.jwk];
    // The set is fetched again when a token names a key it lacks, at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await call('/api/items', await token(k2));
    assert.equal(fresh.status, 200, fresh.body);
    assert.ok(fetches > before, 'fetched the key set again');
    const old = await call('/api/items', await token(k1));
    assert.equal(old.status, 401, old.body);
  });
});
