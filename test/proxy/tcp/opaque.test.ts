// Opaque TCP through the proxy: echo with half-close, server-speaks-first protocols (detect
// timeout), configured opaque ports, CONNECT (a tunnel to the named address, its bytes served
// like any connection there), and resets when the upstream is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { formatAddress } from '../../../src/lib/address.js';
import { metricValue, startProxyPair, startTestProxy } from '../../helpers/proxy.js';
import { deadPort, h2Backend, tcpBackend } from '../../helpers/servers.js';

/** Sends `payload`, half-closes, and collects everything until the server closes. */
function exchange(port: number, payload: Buffer | string, opts: { waitFirst?: boolean } = {}): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      if (opts.waitFirst && chunks.length === 1) s.end(payload);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ data: Buffer.concat(chunks), error: e.code ?? 'error' }));
    s.on('close', () => resolve({ data: Buffer.concat(chunks) }));
    if (!opts.waitFirst) s.end(payload);
  });
}

test('opaque bytes go both ways through a pair and half-close is honoured', async (t) => {
  const echo = await tcpBackend();
  const pair = await startProxyPair(echo.addr, { WEFT_PROXY_DETECT_TIMEOUT_MS: '200' });
  t.after(async () => {
    await pair.close();
    await echo.close();
  });
  const payload = Buffer.alloc(1_000_000, 7);
  payload.write('\x00binary-not-http');
  const r = await exchange(pair.entry.port, payload);
  assert.equal(r.error, undefined);
  assert.equal(r.data.length, payload.length);
  assert.ok(r.data.equals(payload));
  for (let i = 0; i < 50 && (await metricValue(pair.outbound, 'tcp_close_total')) < 1; i++) await new Promise((res) => setTimeout(res, 20));
  assert.ok((await metricValue(pair.outbound, 'tcp_read_bytes_total', { direction: 'outbound' })) >= payload.length);
});

test('a server-speaks-first protocol works: the client sends nothing until greeted', async (t) => {
  const greeter = await tcpBackend((s) => {
    s.write('220 smtp.example ESMTP ready\r\n');
    s.on('data', (d) => s.end(`250 got ${d.toString().trim()}\r\n`));
  });
  const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(greeter.addr), WEFT_PROXY_DETECT_TIMEOUT_MS: '150' });
  t.after(async () => {
    await p.close();
    await greeter.close();
  });
  const r = await exchange(p.outbound.port, 'HELO me\r\n', { waitFirst: true });
  assert.equal(r.data.toString(), '220 smtp.example ESMTP ready\r\n250 got HELO me\r\n');
});

test('configured opaque ports skip detection (no detect delay even with a long timeout)', async (t) => {
  const greeter = await tcpBackend((s) => s.end('+OK redis-like greeting\r\n'));
  const p = await startTestProxy({
    WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(greeter.addr),
    WEFT_PROXY_DETECT_TIMEOUT_MS: '60000',
    WEFT_PROXY_OPAQUE_PORTS: String(greeter.addr.port),
  });
  t.after(async () => {
    await p.close();
    await greeter.close();
  });
  const r = await exchange(p.outbound.port, '', { waitFirst: true });
  assert.equal(r.data.toString(), '+OK redis-like greeting\r\n');
});

test('an unreachable upstream resets the client connection', async (t) => {
  const dead = await deadPort();
  const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(dead), WEFT_PROXY_OPAQUE_PORTS: String(dead.port) });
  t.after(() => p.close());
  const r = await exchange(p.outbound.port, 'hello');
  assert.equal(r.error, 'ECONNRESET');
});

test('CONNECT opens a TCP tunnel in explicit-proxy mode', async (t) => {
  const echo = await tcpBackend();
  const p = await startTestProxy();
  t.after(async () => {
    await p.close();
    await echo.close();
  });
  const got = await new Promise<string>((resolve, reject) => {
    const s = net.connect(p.outbound.port, '127.0.0.1');
    let d = '';
    s.on('data', (c) => {
      d += c.toString();
      if (d.includes('\r\n\r\n') && !d.includes('tunnelled')) s.end('tunnelled bytes');
    });
    s.on('close', () => resolve(d));
    s.on('error', reject);
    s.write(`CONNECT 127.0.0.1:${echo.addr.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.addr.port}\r\n\r\n`);
  });
  assert.match(got, /^HTTP\/1\.1 200 Connection Established\r\n\r\ntunnelled bytes$/);
});

test('CONNECT names the destination: HTTP/2 through the tunnel is served as HTTP/2 to that address (request metrics, not a byte pipe)', async (t) => {
  const backend = await h2Backend();
  const p = await startTestProxy();
  t.after(async () => {
    await p.close();
    await backend.close();
  });
  const tunnel = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(p.outbound.port, '127.0.0.1');
    let head = '';
    const onData = (c: Buffer): void => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onData);
      resolve(s);
    };
    s.on('data', onData);
    s.on('error', reject);
    s.write(`CONNECT ${formatAddress(backend.addr)} HTTP/1.1\r\nHost: ${formatAddress(backend.addr)}\r\n\r\n`);
  });
  const session = http2.connect(`http://${formatAddress(backend.addr)}`, { createConnection: () => tunnel });
  t.after(() => session.destroy());
  const body = await new Promise<string>((resolve, reject) => {
    const req = session.request({ ':path': '/through-connect' });
    let b = '';
    req.on('data', (c: Buffer) => (b += c));
    req.on('end', () => resolve(b));
    req.on('error', reject);
    req.end();
  });
  assert.equal(body, 'h2 GET /through-connect');
  assert.equal(await metricValue(p, 'request_total', { direction: 'outbound', authority: formatAddress(backend.addr) }), 1);
  assert.equal(await metricValue(p, 'tcp_open_total', { direction: 'outbound' }), 1);
});

test('a client that sends a few bytes and half-closes before detection decides still gets through', async (t) => {
  const echo = await tcpBackend();
  const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(echo.addr), WEFT_PROXY_DETECT_TIMEOUT_MS: '60000' });
  t.after(async () => {
    await p.close();
    await echo.close();
  });
  // "ping" could still become an HTTP method, so detection is undecided when the FIN arrives.
  const r = await exchange(p.outbound.port, 'ping');
  assert.equal(r.error, undefined);
  assert.equal(r.data.toString(), 'ping');
});

test('byte counters of a connection that is still open are current at every scrape', async (t) => {
  const echo = await tcpBackend();
  const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(echo.addr), WEFT_PROXY_OPAQUE_PORTS: String(echo.addr.port) });
  const s = net.connect(p.outbound.port, '127.0.0.1');
  t.after(async () => {
    s.destroy();
    await p.close();
    await echo.close();
  });
  let got = 0;
  await new Promise<void>((resolve) => {
    s.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= 10_000) resolve();
    });
    s.write(Buffer.alloc(10_000, 1));
  });
  assert.equal(await metricValue(p, 'tcp_read_bytes_total', { direction: 'outbound' }), 10_000);
  assert.equal(await metricValue(p, 'tcp_write_bytes_total', { direction: 'outbound' }), 10_000);
  assert.equal(await metricValue(p, 'tcp_close_total'), 0);
});
