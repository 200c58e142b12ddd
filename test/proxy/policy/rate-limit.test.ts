// Inbound rate limits: the limiter's arithmetic on an injected clock, then accuracy end to end
// (a 10 rps HTTPLocalRateLimitPolicy served by the policy API lets 9–11 requests a second
// through a sustained flood, the rest get 429 with weft-proxy-error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { formatAddress } from '../../../src/lib/address.js';
import { RateLimiter } from '../../../src/proxy/policy/rate-limit.js';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import { startDestinationServer } from '../../../src/control/destination/server.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';
import { httpBackend } from '../../helpers/servers.js';

const labels = { group: 'policy.linkerd.io', kind: 'httplocalratelimitpolicy', name: 'rl' };

test('limiter: per-identity buckets, overrides for named identities, and a total over everyone', () => {
  let now = 0;
  const l = new RateLimiter({ labels, total: 6, identity: 2, overrides: [{ rps: 4, identities: new Set(['vip']) }] }, () => now);
  const burst = (id: string, n: number) => Array.from({ length: n }, () => l.admit(id)).filter(Boolean).length;
  assert.equal(burst('a', 5), 2, 'identity limit');
  assert.equal(burst('vip', 5), 4, 'override raises the limit for its identity');
  assert.equal(burst('b', 5), 0, 'the total (6) is used up by a and vip');
  now += 500; // half a second refills half of each bucket
  assert.equal(burst('a', 5), 1);
  assert.equal(burst('b', 5), 1);
  assert.equal(burst('c', 5), 1, 'total: 3 refilled, a and b took 2');
});

test('a 10 rps limit lets 9 to 11 requests a second through a sustained flood', async (t) => {
  const app = await httpBackend();
  const dir = await mkdtemp(join(tmpdir(), 'weft-ratelimit-'));
  const store = await LocalStore.open(dir, { pollMs: 50 });
  await store.apply(parseManifests(`
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}}
spec: {containers: [{name: app, ports: [{name: http, containerPort: ${app.addr.port}}]}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api, namespace: shop}
spec: {podSelector: {matchLabels: {app: api}}, port: http, accessPolicy: all-unauthenticated}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: HTTPLocalRateLimitPolicy
metadata: {name: api-rl, namespace: shop}
spec: {targetRef: {group: policy.linkerd.io, kind: Server, name: api}, total: {requestsPerSecond: 10}}
`, 'rl.yaml'));
  const control = await startDestinationServer(store, '127.0.0.1:0');
  const proxy = await startTestProxy({
    WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr),
    WEFT_PROXY_IDENTITY_DISABLED: 'true',
    WEFT_PROXY_POLICY_SVC_ADDR: `127.0.0.1:${control.port}`,
    WEFT_PROXY_POLICY_WORKLOAD: '{"ns":"shop","pod":"api-0"}',
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  t.after(async () => {
    agent.destroy();
    await proxy.close();
    await control.close();
    await store.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const get = () => new Promise<{ status: number; error: string | undefined }>((resolve, reject) => {
    const req = http.get({ host: proxy.inbound.host, port: proxy.inbound.port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: res.headers['weft-proxy-error'] as string | undefined }));
    });
    req.on('error', reject);
  });
  // Warm-up second: the bucket starts full (one second's burst), drain it.
  const start = performance.now();
  const perSecond = [0, 0, 0, 0];
  let limited = 0;
  let sent = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (performance.now() - start < 4000) {
      const r = await get();
      sent++;
      const sec = Math.floor((performance.now() - start) / 1000);
      if (r.status === 200 && sec < 4) perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      else if (r.status === 429) {
        limited++;
        assert.match(r.error ?? '', /rate limited/);
      } else if (r.status !== 200) assert.fail(`unexpected status ${r.status}`);
      await new Promise((res) => setTimeout(res, 10));
    }
  }));
  assert.ok(sent > 100, `only ${sent} requests sent: not a flood`);
  for (const n of perSecond.slice(1)) assert.ok(n >= 9 && n <= 11, `allowed per second after warm-up: ${perSecond.join(', ')}`);
  assert.equal(await metricValue(proxy, 'inbound_http_local_ratelimit_total', { srv_name: 'api', ratelimit_name: 'api-rl', result: 'rate_limited' }), limited);
});
