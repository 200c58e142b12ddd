// Chaos under load, bounded and on loopback: an endpoint killed mid-load, the control plane
// killed and restarted, a proxy process drained with POST /shutdown while requests are in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { formatAddress } from '../../src/lib/address.js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { background, client, counted, failures, sleep, until, type After, type Reply } from '../helpers/http-load.js';
import { startProxyProcess } from '../helpers/proxy-process.js';
import { url } from '../helpers/proxy.js';
import { profileYaml, serviceWithBackends, sliceYaml, controlPlaneFor, meshProxyFor, type TestControlPlane } from '../helpers/destination.js';

const NS = 'chaos';
const WEB = `web.${NS}.svc.cluster.local:80`;

const controlPlane = controlPlaneFor;
const meshProxy = (t: After, cp: TestControlPlane, env: Record<string, string> = {}): Promise<ProxyHandle> => meshProxyFor(t, cp, NS, env);

test('an endpoint killed mid-load (discovery still lists it): at most 1% of the requests of the next 5 s fail', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const bs = [await counted(t, 'a'), await counted(t, 'b'), await counted(t, 'c')];
  await cp.apply(serviceWithBackends(NS, 'web', bs.map((b) => b.addr)) + profileYaml(NS, 'web', {
    routes: [{ name: 'GET /', pathRegex: '/.*', isRetryable: true }],
  }));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy, 8);
  const warm = background(8, () => get(WEB));
  await sleep(1000);
  const before = await warm.stop();
  assert.deepEqual(failures(before), []);

  const run = background(8, () => get(WEB));
  await sleep(100);
  await bs[1]?.close(); // killed: its connections reset, new ones refused
  await sleep(5000);
  const out = await run.stop();
  const failed = failures(out);
  const rate = failed.length / out.length;
  t.diagnostic(`endpoint killed under load: ${failed.length} of ${out.length} failed over 5 s (${(rate * 100).toFixed(2)}%): ${failed.slice(0, 2).join(' | ')}`);
  assert.ok(out.length > 500, `only ${out.length} requests in 5 s`);
  assert.ok(rate <= 0.01, `${(rate * 100).toFixed(2)}% failed`);
});

test('control plane killed and restarted under load: no request to known endpoints fails; a new endpoint is used within 1 s of its return', { timeout: 30_000 }, async (t) => {
  const cp = await controlPlane(t);
  const a = await counted(t, 'a');
  const b = await counted(t, 'b');
  const c = await counted(t, 'c');
  await cp.apply(serviceWithBackends(NS, 'web', [a.addr, b.addr]));
  const proxy = await meshProxy(t, cp);
  const get = client(t, proxy, 4);
  assert.equal((await get(WEB)).status, 200);
  const run = background(4, () => get(WEB));
  await sleep(300);
  await cp.stop();
  await sleep(2000);
  // The endpoint is added while the control plane is away; it is served from its return.
  await cp.apply(sliceYaml(NS, 'web', 'web-c', c.addr));
  const back = Date.now();
  await cp.start();
  await until('traffic to the endpoint added while the control plane was down', () => c.hits > 0, 5000);
  const pickedUpMs = Date.now() - back;
  const out = await run.stop();
  t.diagnostic(`${out.length} requests across a 2 s control-plane outage; new endpoint used ${pickedUpMs} ms after its return`);
  assert.deepEqual(failures(out), []);
  assert.ok(pickedUpMs <= 1000, `new endpoint picked up ${pickedUpMs} ms after the control plane returned`);
});

test('a proxy drained with POST /shutdown under load loses no in-flight request', { timeout: 30_000 }, async (t) => {
  const app = await counted(t, 'slow', { delayMs: 300 });
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  t.after(() => agent.destroy());
  const one = (): Promise<Reply | Error> =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = http.get({ host: p.outbound.host, port: p.outbound.port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - start }));
        res.on('error', resolve);
      });
      req.on('error', resolve);
    });
  // 20 requests in flight at once, held 300 ms by the app, when the proxy is told to drain.
  const first = Array.from({ length: 20 }, one);
  await sleep(150);
  const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
  assert.equal((await fetch(url(p.admin, '/shutdown'), { method: 'POST' })).status, 200);
  const out = await Promise.all(first);
  const lost = out.filter((r) => r instanceof Error || r.status !== 200);
  t.diagnostic(`${out.length - lost.length} of ${out.length} in-flight requests completed across /shutdown`);
  assert.deepEqual(lost.map((r) => (r instanceof Error ? r.message : r.status)), []);
  assert.equal(await exited, 0);
});
