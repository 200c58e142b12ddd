// Per-route cost end to end: a real destination server with a ServiceProfile, a real proxy in
// explicit-proxy mode, real backends (HTTP/1 and h2c). The requests send and receive bodies of
// known sizes; the route's byte counters must equal what was sent, and the sampled CPU time
// must be there and plausible (above zero, below the process's own CPU time for the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { parseProxyConfig } from '../../src/proxy/config.js';
import { RouteCostSampler } from '../../src/proxy/metrics/route-cost.js';
import { ConfigError } from '../../src/lib/errors.js';
import { load, failures, type After } from '../helpers/http-load.js';
import { metricValue, startTestProxy } from '../helpers/proxy.js';
import { h2Backend } from '../helpers/servers.js';
import { profileYaml, serviceWithBackends, startTestControlPlane } from '../helpers/destination.js';

const NS = 'demo';

/** An HTTP/1 backend answering /items/<n> with n bytes, after reading the request body. */
async function sizedBackend(t: After): Promise<{ addr: { host: string; port: number }; received: number }> {
  const sockets = new Set<Socket>();
  const b = { addr: { host: '127.0.0.1', port: 0 }, received: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (b.received += c.length));
    req.on('end', () => {
      const n = Number(/\/items\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      res.writeHead(200, { 'content-length': n });
      res.end(Buffer.alloc(n, 'x'));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  b.addr.port = (server.address() as AddressInfo).port;
  t.after(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }));
  return b;
}

function post(agent: http.Agent, proxy: ProxyHandle, authority: string, path: string, body: Buffer): Promise<{ status: number; length: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.outbound.host, port: proxy.outbound.port, method: 'POST', path: `http://${authority}${path}`, headers: { host: authority, 'content-length': body.length }, agent });
    req.on('response', (res) => {
      let length = 0;
      res.on('data', (c: Buffer) => (length += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function meshProxy(t: After, cpAddr: string, env: Record<string, string>): Promise<ProxyHandle> {
  const p = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cpAddr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}`, ...env });
  t.after(() => p.close());
  return p;
}

test('route_bytes_match_what_was_sent_and_sampled_cpu_is_plausible_http1', { timeout: 30_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const backend = await sizedBackend(t);
  await cp.apply(serviceWithBackends(NS, 'web', [backend.addr]) + profileYaml(NS, 'web', { routes: [{ name: 'POST /items', pathRegex: '/items/\\d+', method: 'POST' }] }));
  const proxy = await meshProxy(t, cp.addr, { WEFT_PROXY_ROUTE_COST_SAMPLE: '4' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  t.after(() => agent.destroy());
  const authority = `web.${NS}.svc.cluster.local:80`;

  const n = 200;
  let sent = 0;
  let expected = 0;
  const cpu0 = process.cpuUsage();
  const out = await load(n, 4, async (i) => {
    const body = Buffer.alloc(100 + i, 'a');
    sent += body.length;
    expected += 1000 + i;
    const r = await post(agent, proxy, authority, `/items/${1000 + i}`, body);
    assert.equal(r.length, 1000 + i);
    return { status: r.status, headers: {}, body: '', ms: 0 };
  });
  const cpu = process.cpuUsage(cpu0);
  assert.deepEqual(failures(out), []);
  assert.equal(backend.received, sent, 'the backend got every body byte');

  const labels = { dst: `web.${NS}.svc.cluster.local`, rt_route: 'POST /items' };
  await new Promise((r) => setImmediate(r)); // the last response's close listeners
  assert.equal(await metricValue(proxy, 'route_request_bytes_total', labels), sent);
  assert.equal(await metricValue(proxy, 'route_response_bytes_total', labels), expected);
  const samples = await metricValue(proxy, 'route_request_cpu_samples_total', labels);
  const cpuUs = await metricValue(proxy, 'route_request_cpu_us_total', labels);
  t.diagnostic(`${samples} of ${n} requests sampled: ${cpuUs} µs, ${(cpuUs / samples).toFixed(1)} µs per request; the whole test process used ${((cpu.user + cpu.system) / n).toFixed(0)} µs per request`);
  // 1 in 4 at random: Binomial(200, 0.25), mean 50, sd 6.1; 25..75 is over 4 sd.
  assert.ok(samples >= 25 && samples <= 75, `${samples} of ${n} sampled`);
  assert.ok(cpuUs > 0, 'CPU time was measured');
  // The proxy's share of one request cannot exceed what the whole process (client, proxy,
  // backend, control plane) spent per request.
  assert.ok(cpuUs / samples < (cpu.user + cpu.system) / n, 'CPU per sampled request below the process-wide CPU per request');
});

test('route_bytes_over_h2_match_what_was_sent', { timeout: 30_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  let received = 0;
  const backend = await h2Backend((s, h) => {
    s.on('error', () => {});
    s.on('data', (c: Buffer) => (received += c.length));
    s.on('end', () => {
      const n = Number(/\/items\/(\d+)/.exec(String(h[':path']))?.[1] ?? 0);
      s.respond({ ':status': 200 });
      s.end(Buffer.alloc(n, 'y'));
    });
  });
  t.after(() => backend.close());
  await cp.apply(serviceWithBackends(NS, 'grpcish', [backend.addr]) + profileYaml(NS, 'grpcish', { routes: [{ name: 'items', pathRegex: '/items/\\d+', method: 'POST' }] }));
  const proxy = await meshProxy(t, cp.addr, { WEFT_PROXY_ROUTE_COST_SAMPLE: '1' });
  const session = http2.connect(`http://${proxy.outbound.host}:${proxy.outbound.port}`);
  t.after(() => void session.close());

  let sent = 0;
  let expected = 0;
  for (let i = 0; i < 30; i++) {
    const body = Buffer.alloc(5000 + i * 100, 'b');
    sent += body.length;
    expected += 20_000 + i;
    const length = await new Promise<number>((resolve, reject) => {
      const s = session.request({ ':method': 'POST', ':path': `/items/${20_000 + i}`, ':authority': `grpcish.${NS}.svc.cluster.local:80` });
      let len = 0;
      s.on('data', (c: Buffer) => (len += c.length));
      s.on('end', () => resolve(len));
      s.on('error', reject);
      s.end(body);
    });
    assert.equal(length, 20_000 + i);
  }
  assert.equal(received, sent);
  const labels = { dst: `grpcish.${NS}.svc.cluster.local`, rt_route: 'items' };
  await new Promise((r) => setTimeout(r, 50)); // the last stream's close
  assert.equal(await metricValue(proxy, 'route_request_bytes_total', labels), sent);
  assert.equal(await metricValue(proxy, 'route_response_bytes_total', labels), expected);
  assert.equal(await metricValue(proxy, 'route_request_cpu_samples_total', labels), 30);
  assert.ok((await metricValue(proxy, 'route_request_cpu_us_total', labels)) > 0);
});

test('route_cost_off_records_no_cost_series', { timeout: 20_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const backend = await sizedBackend(t);
  await cp.apply(serviceWithBackends(NS, 'web', [backend.addr]) + profileYaml(NS, 'web', { routes: [{ name: 'POST /items', pathRegex: '/items/\\d+', method: 'POST' }] }));
  const proxy = await meshProxy(t, cp.addr, { WEFT_PROXY_ROUTE_COST_SAMPLE: '0' });
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  assert.equal((await post(agent, proxy, `web.${NS}.svc.cluster.local:80`, '/items/10', Buffer.from('hello'))).status, 200);
  const text = await proxy.metrics.exposition();
  assert.match(text, /route_request_total\{[^}]*rt_route="POST \/items"/);
  assert.doesNotMatch(text, /route_request_bytes_total\{/);
  assert.doesNotMatch(text, /route_request_cpu_us_total\{/);
});

test('route_cost_sample_setting_rejects_bad_values', () => {
  for (const bad of ['-1', '1.5', 'often']) {
    assert.throws(() => parseProxyConfig({ WEFT_PROXY_ROUTE_COST_SAMPLE: bad }), (e: unknown) => e instanceof ConfigError && e.message.includes('WEFT_PROXY_ROUTE_COST_SAMPLE'));
  }
  assert.equal(parseProxyConfig({}).routeCostSample, 16);
  assert.equal(parseProxyConfig({ WEFT_PROXY_ROUTE_COST_SAMPLE: '0' }).routeCostSample, 0);
  const draws = [0.1, 0.4, 0.5, 0.9, 0.33];
  const s = new RouteCostSampler(3, () => draws.shift() as number);
  assert.deepEqual(Array.from({ length: 5 }, () => s.start()?.sampled), [true, false, false, false, true]);
  assert.equal(new RouteCostSampler(0).start(), undefined);
});
