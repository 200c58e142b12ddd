// The forward layers' side of the retry contract (route.retry / route.tryTimeoutMs), with the
// route stated by the test: per-try timeouts on HTTP/1 and HTTP/2 (retried, or a 504 when the
// route says no), a route's own limit on attempts, and the outcomes offered for gRPC — a
// grpc-status in the trailers of a 200 (the response held back until they come) and in a
// trailers-only answer. Real backends and a real listener; no discovery in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { AttemptOutcome } from '../../../src/proxy/http/route.js';
import { startForwardHarness, type HarnessRoute } from '../../helpers/forward-harness.js';
import { echoClient, startGrpcEcho, unary } from '../../helpers/grpc-echo.js';
import type { After } from '../../helpers/http-load.js';
import { h2Backend, httpBackend } from '../../helpers/servers.js';

/** A route policy allowing `limit` retries per request (the test's stand-in for a budget). */
function limited(limit: number): HarnessRoute['retry'] {
  return () => {
    let left = limit;
    return (o: AttemptOutcome) => (o.status === 0 || o.status >= 500 || (o.grpcStatus ?? 0) !== 0) && left-- > 0;
  };
}

async function h1Get(port: number, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - start }));
    }).on('error', reject);
  });
}

async function h2Get(t: After, port: number, path: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string; ms: number }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  t.after(() => void session.close());
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const s = session.request({ ':path': path });
    let headers: http2.IncomingHttpHeaders = {};
    let body = '';
    s.on('response', (h) => (headers = h));
    s.on('data', (c: Buffer) => (body += c.toString()));
    s.on('end', () => resolve({ status: Number(headers[':status']), headers, body, ms: Date.now() - start }));
    s.on('error', reject);
  });
}

test('HTTP/1: an attempt over its per-try timeout is abandoned and retried; with no retry left the client gets 504', { timeout: 20_000 }, async (t) => {
  let hits = 0;
  const slowFirst = await httpBackend((req, res) => {
    hits++;
    const delay = req.url === '/always-slow' || hits === 1 ? 1500 : 0;
    setTimeout(() => res.end(`hit ${hits}`), delay);
  });
  t.after(() => slowFirst.close());
  const h = await startForwardHarness('http1', slowFirst.addr, { retry: limited(1), tryTimeoutMs: 200 });
  t.after(() => h.close());
  const r = await h1Get(h.addr.port, '/x');
  assert.equal(r.status, 200);
  assert.ok(r.ms < 1200, `answered after ${r.ms} ms: the slow first attempt was not waited for`);
  // Each attempt's outcome is offered; the route says which are failures.
  assert.deepEqual(h.outcomes, [{ status: 0, timedOut: true }, { status: 200 }]);

  const none = await startForwardHarness('http1', slowFirst.addr, { retry: () => () => false, tryTimeoutMs: 200 });
  t.after(() => none.close());
  const r2 = await h1Get(none.addr.port, '/always-slow');
  assert.equal(r2.status, 504);
  assert.match(String(r2.headers['weft-proxy-error']), /timeout/);
  assert.ok(r2.ms < 1200, `504 after ${r2.ms} ms`);
});

test('HTTP/2: per-try timeout retried, and a route limit of 2 retries means 3 attempts at most', { timeout: 20_000 }, async (t) => {
  const hits = new Map<string, number>();
  const backend = await h2Backend((s, h) => {
    const path = String(h[':path']);
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    if (path === '/slow-first' && n === 1) return setTimeout(() => !s.destroyed && (s.respond({ ':status': 200 }), s.end('late')), 1500);
    if (s.destroyed) return;
    s.respond({ ':status': path === '/fails' ? 502 : 200 });
    s.end('x');
  });
  t.after(() => backend.close());
  const h = await startForwardHarness('h2', backend.addr, { retry: limited(1), tryTimeoutMs: 200 });
  t.after(() => h.close());
  const r = await h2Get(t, h.addr.port, '/slow-first');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'x');
  assert.ok(r.ms < 1200, `answered after ${r.ms} ms`);
  // Each attempt's outcome is offered; the route says which are failures.
  assert.deepEqual(h.outcomes, [{ status: 0, timedOut: true }, { status: 200 }]);

  const limit = await startForwardHarness('h2', backend.addr, { retry: limited(2) });
  t.after(() => limit.close());
  const r2 = await h2Get(t, limit.addr.port, '/fails');
  assert.equal(r2.status, 502);
  assert.equal(hits.get('/fails'), 3, 'the first attempt and two retries');
  assert.deepEqual(limit.outcomes, [{ status: 502 }, { status: 502 }, { status: 502 }]);
});

test('gRPC: the outcome carries grpc-status from the trailers of a 200 and from a trailers-only answer', { timeout: 20_000 }, async (t) => {
  const calls = new Map<string, number>();
  const echo = await startGrpcEcho((m) => {
    const n = (calls.get(m.text) ?? 0) + 1;
    calls.set(m.text, n);
    if (n === 1) return { code: grpc.status.UNAVAILABLE, details: 'again', afterHeaders: m.text === 'trailers' };
    return undefined;
  });
  t.after(() => echo.close());
  const h = await startForwardHarness('h2', { host: '127.0.0.1', port: echo.port }, { retry: limited(1) });
  t.after(() => h.close());
  const c = echoClient(`127.0.0.1:${h.addr.port}`, { 'grpc.enable_retries': 0 });
  t.after(() => c.close());
  assert.equal((await unary(c, { text: 'trailers', n: 1 })).text, 'echo:trailers');
  assert.deepEqual(h.outcomes.splice(0), [{ status: 200, grpcStatus: 14 }]);
  assert.equal((await unary(c, { text: 'trailers-only', n: 1 })).text, 'echo:trailers-only');
  assert.deepEqual(h.outcomes.splice(0), [{ status: 200, grpcStatus: 14 }]);
  assert.deepEqual([calls.get('trailers'), calls.get('trailers-only')], [2, 2]);
});

test('HTTP/1 over HTTP/2 (the meshed path): a POST body is sent again intact after a 503; past the buffer it is not; per-try timeout', { timeout: 20_000 }, async (t) => {
  const bodies = new Map<string, Buffer[]>();
  const backend = await h2Backend((s, h) => {
    const path = String(h[':path']);
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => {
      const list = bodies.get(path) ?? [];
      list.push(Buffer.concat(chunks));
      bodies.set(path, list);
      const answer = (): void => {
        if (s.destroyed) return;
        s.respond({ ':status': list.length === 1 ? 503 : 200 });
        s.end(`${list.length}`);
      };
      if (path === '/slow-first' && list.length === 1) setTimeout(answer, 1500);
      else answer();
    });
  });
  t.after(() => backend.close());
  const h = await startForwardHarness('h1-over-h2', backend.addr, { retry: limited(1), tryTimeoutMs: 500 }, { retryBufferBytes: 32 * 1024 });
  t.after(() => h.close());
  const postH1 = (path: string, body: Buffer): Promise<{ status: number; reason: string; ms: number }> =>
    new Promise((resolve, reject) => {
      const start = Date.now();
      const req = http.request({ host: '127.0.0.1', port: h.addr.port, method: 'POST', path, agent: false, headers: { 'content-length': String(body.length) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', ms: Date.now() - start }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const body = randomBytes(30 * 1024);
  assert.equal((await postH1('/small', body)).status, 200);
  assert.equal(bodies.get('/small')?.length, 2);
  for (const b of bodies.get('/small') ?? []) assert.ok(b.equals(body), 'intact on both attempts');

  const big = randomBytes(33 * 1024);
  const final = await postH1('/big', big);
  assert.equal(final.status, 503, 'over the 32 KiB buffer: the failure is final');
  // HTTP/2 carries no reason phrase: the HTTP/1 client gets the standard one, not "Unknown".
  assert.equal(final.reason, 'Service Unavailable');
  assert.equal(bodies.get('/big')?.length, 1);

  const slow = await postH1('/slow-first', body);
  assert.equal(slow.status, 200, 'the retry answered');
  assert.ok(slow.ms < 1400, `${slow.ms} ms: the slow first attempt was abandoned at 500 ms`);
  assert.equal(bodies.get('/slow-first')?.length, 2);
});
