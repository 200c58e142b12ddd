// The proxy's fault guard (issue 17): an exception in one connection's handling closes that
// connection or stream, is counted in proxy_internal_errors_total and logged once per cause,
// and never ends the proxy. In-process for the h2 stream boundary; on a real `weft proxy`
// process (faults injected by a preload) for the HTTP/1 boundary and the process-level guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { join } from 'node:path';
import { formatAddress } from '../../src/lib/address.js';
import { Logger } from '../../src/lib/log.js';
import { causeOf, FaultGuard } from '../../src/proxy/guard.js';
import { createH2Server } from '../../src/proxy/http/h2-server.js';
import { ProxyMetrics } from '../../src/proxy/metrics/registry.js';
import { startProxyProcess, weftBin } from '../helpers/proxy-process.js';
import { url } from '../helpers/proxy.js';
import { httpBackend } from '../helpers/servers.js';
import { DEFAULT_H2_LIMITS } from '../../src/proxy/config.js';

function capturingGuard(): { guard: FaultGuard; metrics: ProxyMetrics; lines: string[] } {
  const lines: string[] = [];
  const metrics = new ProxyMetrics();
  return { guard: new FaultGuard(metrics, new Logger('info', 'test', (l) => lines.push(l))), metrics, lines };
}

async function counted(metrics: ProxyMetrics | string, where: string): Promise<number> {
  const text = typeof metrics === 'string' ? metrics : await metrics.exposition();
  return text
    .split('\n')
    .filter((l) => l.startsWith('proxy_internal_errors_total{') && l.includes(`where="${where}"`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

test('guard.run: a throw is counted, the close callback runs, and one cause is logged once', async () => {
  const { guard, metrics, lines } = capturingGuard();
  let closed = 0;
  for (let i = 0; i < 5; i++) guard.run('h1_request', () => { throw new TypeError('same bug'); }, () => closed++);
  guard.run('h1_request', () => { throw Object.assign(new Error('other'), { code: 'ERR_OTHER' }); }, () => closed++);
  guard.run('h1_request', () => {}, () => closed++);
  assert.equal(closed, 6);
  assert.equal(await counted(metrics, 'h1_request'), 6);
  assert.equal(lines.filter((l) => l.includes('internal error')).length, 2);
  assert.match(causeOf(new TypeError('x')), /^TypeError@guard\.test\.js:\d+$/);
});

test('an h2 stream whose handler throws is reset; the session keeps serving its other streams', async (t) => {
  const { guard, metrics } = capturingGuard();
  const h2 = createH2Server<string>({ maxHeaderBytes: 16384, maxHeaderCount: 100, idleTimeoutMs: 10_000, headersTimeoutMs: 10_000, h2: DEFAULT_H2_LIMITS, guard, onLimit: () => {} }, (stream, headers, _flags, tag) => {
    if (headers[':path'] === '/boom') throw new Error('handler bug');
    stream.respond({ ':status': 200 });
    stream.end(tag);
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    h2.accept(s, 'conn-tag');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  t.after(() => {
    session.destroy();
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const get = (path: string): Promise<{ status: number; body: string; rst: number }> =>
    new Promise((resolve) => {
      const req = session.request({ ':path': path });
      let status = 0;
      let body = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (body += c));
      req.on('error', () => {});
      req.on('close', () => resolve({ status, body, rst: req.rstCode ?? 0 }));
      req.end();
    });
  const boom = await get('/boom');
  assert.equal(boom.rst, http2.constants.NGHTTP2_INTERNAL_ERROR);
  const ok = await get('/ok');
  assert.deepEqual([ok.status, ok.body], [200, 'conn-tag']);
  assert.equal(await counted(metrics, 'h2_stream'), 1);
});

test('a real proxy process survives injected faults: a throw in its request handler closes that connection only, a throw on a later tick is caught by the process guard', async (t) => {
  const app = await httpBackend((_q, s) => s.end('app'));
  t.after(() => app.close());
  const preload = join(weftBin, '..', '..', 'dist', 'test', 'fixtures', 'inject-faults.js');
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' }, ['--import', preload]);
  const get = (path: string): Promise<string> =>
    new Promise((resolve) => {
      http.get({ host: p.outbound.host, port: p.outbound.port, path, agent: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(`${res.statusCode} ${b}`));
      }).on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
    });

  for (let i = 0; i < 3; i++) assert.match(await get('/boom-sync'), /^error ECONNRESET|^error socket hang up/);
  for (let i = 0; i < 3; i++) assert.equal(await get('/boom-async'), '200 app');
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(p.alive(), `proxy died:\n${p.log()}`);
  assert.equal((await fetch(url(p.admin, '/live'))).status, 200);
  assert.equal(await get('/fine'), '200 app');
  const metrics = await (await fetch(url(p.admin, '/metrics'))).text();
  assert.equal(await counted(metrics, 'h1_request'), 3);
  assert.equal(await counted(metrics, 'process'), 3);
  // Once per cause, not once per event.
  assert.equal(p.log().split('\n').filter((l) => l.includes('internal error')).length, 2, p.log());
});
