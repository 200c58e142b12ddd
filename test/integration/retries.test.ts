// Retries end to end through a real proxy with discovery: a real destination server over a
// LocalStore serves a ServiceProfile whose routes are retryable, real backends fail on purpose,
// and each test checks both sides — what the client got and what the backend received. Covers
// requests with bodies (kept up to the retry buffer and sent again intact; never retried once
// past it), HTTP/2 by status, gRPC by grpc-status (a real @grpc/grpc-js server and client), and
// the budget bounding the total load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { Address } from '../../src/lib/address.js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { profileYaml, serviceWithBackends, controlPlaneFor, meshProxyFor, type TestControlPlane } from '../helpers/destination.js';
import { echoClient, startGrpcEcho, unary } from '../helpers/grpc-echo.js';
import type { After } from '../helpers/http-load.js';
import { h2Backend } from '../helpers/servers.js';

const NS = 'demo';
const WEB = `web.${NS}.svc.cluster.local:80`;

const controlPlane = controlPlaneFor;
const meshProxy = (t: After, cp: TestControlPlane, env: Record<string, string> = {}): Promise<ProxyHandle> => meshProxyFor(t, cp, NS, env);

/** An HTTP/1 backend that keeps every request body it received and fails the first `failFirst` of each path with 503. */
async function bodyBackend(t: After, failFirst = 1): Promise<{ addr: Address; bodies: Map<string, Buffer[]> }> {
  const bodies = new Map<string, Buffer[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const list = bodies.get(path) ?? [];
      list.push(Buffer.concat(chunks));
      bodies.set(path, list);
      res.statusCode = list.length <= failFirst ? 503 : 200;
      res.end(`${res.statusCode} ${list.at(-1)?.length ?? 0}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { addr: { host: '127.0.0.1', port: (server.address() as { port: number }).port }, bodies };
}

/** POSTs `body` through the proxy (proxy-form), with a content-length or chunked. */
function post(proxy: ProxyHandle, path: string, body: Buffer, chunked = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.outbound.host, port: proxy.outbound.port, method: 'POST', path: `http://${WEB}${path}`, agent: false,
      headers: { host: WEB, ...(chunked ? {} : { 'content-length': String(body.length) }) },
    });
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (chunked) {
      // Several chunks, so the body really arrives in pieces.
      for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
      req.end();
    } else req.end(body);
  });
}

const retryableProfile = (method = 'POST', pathRegex = '/.*'): string =>
  profileYaml(NS, 'web', { routes: [{ name: 'retryable', method, pathRegex, isRetryable: true }] });

test('a POST with a body is retried after a 503 and the body arrives intact on the retry', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const b = await bodyBackend(t);
  await cp.apply(serviceWithBackends(NS, 'web', [b.addr]) + retryableProfile());
  const proxy = await meshProxy(t, cp);
  const body = randomBytes(40 * 1024);
  const r = await post(proxy, '/sized', body);
  assert.equal(r.status, 200, r.text);
  const got = b.bodies.get('/sized') ?? [];
  assert.equal(got.length, 2, 'one failure, one retry');
  for (const g of got) assert.ok(g.equals(body), `body of ${g.length} bytes differs from the ${body.length} sent`);

  // Chunked, too: the kept copy is the body as framed, sent again the same way.
  const r2 = await post(proxy, '/chunked', body, true);
  assert.equal(r2.status, 200, r2.text);
  const got2 = b.bodies.get('/chunked') ?? [];
  assert.equal(got2.length, 2);
  for (const g of got2) assert.ok(g.equals(body), 'chunked body intact');
});

test('a body larger than the retry buffer is never retried (default 64 KiB, and a configured smaller one)', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const b = await bodyBackend(t);
  await cp.apply(serviceWithBackends(NS, 'web', [b.addr]) + retryableProfile());
  const proxy = await meshProxy(t, cp);
  const big = randomBytes(64 * 1024 + 1);
  const r = await post(proxy, '/big', big);
  assert.equal(r.status, 503, 'the failure reaches the client');
  assert.equal(b.bodies.get('/big')?.length, 1, 'sent once');
  assert.ok(b.bodies.get('/big')?.[0]?.equals(big), 'and intact');
  // Chunked: the size is only known as it streams past the buffer.
  const rc = await post(proxy, '/big-chunked', big, true);
  assert.equal(rc.status, 503);
  assert.equal(b.bodies.get('/big-chunked')?.length, 1);

  const small = await meshProxy(t, cp, { WEFT_PROXY_RETRY_BUFFER_BYTES: '1024' });
  const r2 = await post(small, '/over-1k', randomBytes(2048));
  assert.equal(r2.status, 503);
  assert.equal(b.bodies.get('/over-1k')?.length, 1);
  const r3 = await post(small, '/under-1k', randomBytes(1000));
  assert.equal(r3.status, 200);
  assert.equal(b.bodies.get('/under-1k')?.length, 2);
});

test('HTTP/2: a request with a body is retried by status, and the budget bounds the attempts of a failing route', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const seen = new Map<string, Buffer[]>();
  const backend = await h2Backend((s, h) => {
    const path = String(h[':path']);
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => {
      const list = seen.get(path) ?? [];
      list.push(Buffer.concat(chunks));
      seen.set(path, list);
      const fail = path.startsWith('/always') || list.length === 1;
      if (s.destroyed) return;
      s.respond({ ':status': fail ? 503 : 200 });
      s.end(fail ? 'no' : 'yes');
    });
  });
  t.after(() => backend.close());
  await cp.apply(serviceWithBackends(NS, 'web', [backend.addr]) + retryableProfile());
  const proxy = await meshProxy(t, cp);
  const session = http2.connect(`http://${proxy.outbound.host}:${proxy.outbound.port}`);
  t.after(() => void session.close());
  const postH2 = (path: string, body: Buffer): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = session.request({ ':method': 'POST', ':path': path, ':authority': WEB });
      let status = 0;
      s.on('response', (h) => (status = Number(h[':status'])));
      s.on('data', () => {});
      s.on('end', () => resolve(status));
      s.on('error', reject);
      s.end(body);
    });
  const body = randomBytes(20_000);
  assert.equal(await postH2('/once', body), 200);
  assert.equal(seen.get('/once')?.length, 2);
  for (const g of seen.get('/once') ?? []) assert.ok(g.equals(body), 'h2 body intact on the retry');

  // Always failing: Linkerd's default budget (20% + 10/s, over a 10 s window) bounds the load.
  // Alternating with successes keeps failure accrual from ejecting the only endpoint.
  const n = 300;
  for (let i = 0; i < n; i++) {
    assert.equal(await postH2(`/always/${i}`, Buffer.from('x')), 503);
    await postH2('/ok', Buffer.from('x'));
  }
  let failHits = 0;
  for (const [p, l] of seen) if (p.startsWith('/always')) failHits += l.length;
  t.diagnostic(`always-failing h2 route: ${failHits} backend hits for ${n} requests`);
  assert.ok(failHits > n, 'some were retried');
  assert.ok(failHits <= n + 0.2 * (2 * n + 2) + 100, `hits ${failHits} within the budget`);
});

test('gRPC: UNAVAILABLE (in the trailers of a 200, or trailers-only) is retried; a non-retryable code is not', { timeout: 20_000 }, async (t) => {
  const cp = await controlPlane(t);
  const calls = new Map<string, number>();
  const echo = await startGrpcEcho((m) => {
    const n = (calls.get(m.text) ?? 0) + 1;
    calls.set(m.text, n);
    if (m.text.startsWith('unavailable') && n === 1) return { code: grpc.status.UNAVAILABLE, details: 'try again', afterHeaders: m.n % 2 === 0 };
    if (m.text.startsWith('denied')) return { code: grpc.status.PERMISSION_DENIED, details: 'no' };
    return undefined;
  });
  t.after(() => echo.close());
  await cp.apply(serviceWithBackends(NS, 'web', [{ host: '127.0.0.1', port: echo.port }])
    + profileYaml(NS, 'web', { routes: [{ name: 'Unary', method: 'POST', pathRegex: '/weft\\.test\\.Echo/Unary', isRetryable: true }] }));
  const proxy = await meshProxy(t, cp);
  const c = echoClient(`${proxy.outbound.host}:${proxy.outbound.port}`, { 'grpc.default_authority': WEB, 'grpc.enable_retries': 0 });
  t.after(() => c.close());
  for (let i = 0; i < 5; i++) {
    const r = await unary(c, { text: `unavailable-${i}`, n: i });
    assert.deepEqual({ ...r }, { text: `echo:unavailable-${i}`, n: i + 1 });
    assert.equal(calls.get(`unavailable-${i}`), 2, 'the server saw the failed call and the retry');
  }
  await assert.rejects(unary(c, { text: 'denied', n: 0 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);
  assert.equal(calls.get('denied'), 1, 'PERMISSION_DENIED is not among the retryable codes');
});
