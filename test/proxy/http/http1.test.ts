// HTTP/1.1 through a real outbound->inbound proxy pair, with curl and raw sockets as clients.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { curl } from '../../helpers/exec.js';
import { metricValue, startProxyPair, startTestProxy, url, type ProxyPair } from '../../helpers/proxy.js';
import { deadPort, httpBackend, type Backend } from '../../helpers/servers.js';
import type http from 'node:http';

function rawExchange(port: number, payload: string, expectResponses: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout; got: ${data}`));
    }, timeoutMs);
    s.on('data', (c) => {
      data += c.toString('latin1');
      if ((data.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= expectResponses && /\r\n\r\n[^]*$/.test(data)) {
        // wait a tick for bodies to land
        setTimeout(() => {
          clearTimeout(timer);
          s.destroy();
          resolve(data);
        }, 50);
      }
    });
    s.on('error', reject);
    s.write(payload);
  });
}

describe('HTTP/1.1 through a proxy pair', () => {
  let app: Backend<http.Server>;
  let pair: ProxyPair;
  before(async () => {
    app = await httpBackend();
    pair = await startProxyPair(app.addr);
  });
  after(async () => {
    await pair.close();
    await app.close();
  });

  test('a GET reaches the app with its path and Host, and the response comes back', async () => {
    const r = await curl([url(pair.entry, '/hello?x=1'), '-H', 'Host: web.demo:8080']);
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.body);
    assert.equal(echo.url, '/hello?x=1');
    assert.equal(echo.headers.host, 'web.demo:8080');
    assert.equal(await metricValue(pair.outbound, 'request_total', { direction: 'outbound', authority: 'web.demo:8080' }), 1);
    assert.equal(await metricValue(pair.inbound, 'response_total', { direction: 'inbound', status_code: '200', classification: 'success' }), 1);
  });

  test('a chunked POST body arrives whole', async () => {
    const body = 'x'.repeat(100_000);
    const r = await curl([url(pair.entry, '/upload'), '-H', 'Transfer-Encoding: chunked', '--data-binary', body]);
    const echo = JSON.parse(r.body);
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body.length, body.length);
  });

  test('hop-by-hop headers are removed, and so are headers named by Connection', async () => {
    const r = await curl([url(pair.entry, '/'), '-H', 'Connection: keep-alive, X-Secret-Hop', '-H', 'X-Secret-Hop: 1', '-H', 'Proxy-Connection: keep-alive', '-H', 'X-End-To-End: yes']);
    const h = JSON.parse(r.body).headers;
    assert.equal(h['x-secret-hop'], undefined);
    assert.equal(h['proxy-connection'], undefined);
    assert.equal(h['x-end-to-end'], 'yes');
  });

  test('upstream connections are pooled: 200 requests over few app connections', async () => {
    const before = app.connections;
    for (let i = 0; i < 200; i++) {
      const res = await fetch(url(pair.entry, `/n${i}`));
      await res.arrayBuffer();
      assert.equal(res.status, 200);
    }
    assert.ok(app.connections - before <= 2, `app saw ${app.connections - before} new connections for 200 requests`);
  });

  test('pipelined requests are answered in order on one connection', async () => {
    const req = (p: string): string => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const out = await rawExchange(pair.entry.port, req('/p1') + req('/p2') + req('/p3'), 3);
    const order = [...out.matchAll(/"url":"(\/p\d)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ['/p1', '/p2', '/p3']);
  });

  test('Expect: 100-continue is relayed and the body follows', async () => {
    const r = await curl([url(pair.entry, '/big'), '-H', 'Expect: 100-continue', '--data-binary', 'y'.repeat(2048), '-v']);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).body.length, 2048);
  });

  test('an oversized header block gets 431 with weft-proxy-error', async () => {
    const r = await curl([url(pair.entry, '/'), '-H', `X-Big: ${'a'.repeat(20_000)}`]);
    assert.equal(r.status, 431);
    assert.match(r.headers['weft-proxy-error'] ?? '', /header/);
  });

  test('a malformed request gets 400 and the proxy keeps serving', async () => {
    const out = await rawExchange(pair.entry.port, 'GET / HTTP/1.1\r\nHost x\r\nBad\x01Header: y\r\n\r\n', 1);
    assert.match(out, /^HTTP\/1\.1 400/);
    assert.match(out, /weft-proxy-error: malformed request/);
    assert.equal((await curl([url(pair.entry, '/')])).status, 200);
  });
});

describe('HTTP/1.1 errors', () => {
  test('an unreachable upstream is a 502 with weft-proxy-error, and nothing leaks', async (t) => {
    const dead = await deadPort();
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${dead.port}` });
    t.after(() => p.close());
    const r = await curl([url(p.outbound, '/')]);
    assert.equal(r.status, 502);
    assert.match(r.headers['weft-proxy-error'] ?? '', /connect to 127\.0\.0\.1:\d+ failed/);
    assert.equal(await metricValue(p, 'response_total', { status_code: '502', classification: 'failure' }), 1);
    // curl closed its connection: the proxy holds none.
    for (let i = 0; i < 50 && (await metricValue(p, 'tcp_open_connections')) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await metricValue(p, 'tcp_open_connections'), 0);
  });

  test('explicit proxy mode: proxy-form requests name their own destination', async (t) => {
    const app = await httpBackend();
    const p = await startTestProxy();
    t.after(async () => {
      await p.close();
      await app.close();
    });
    const r = await curl(['-x', url(p.outbound), `http://127.0.0.1:${app.addr.port}/via-proxy`]);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).url, '/via-proxy');
  });

  test('a client that sends headers too slowly is cut off with 408', async (t) => {
    const app = await httpBackend();
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${app.addr.port}`, WEFT_PROXY_HTTP_HEADERS_TIMEOUT_MS: '300' });
    t.after(async () => {
      await p.close();
      await app.close();
    });
    const out = await new Promise<string>((resolve) => {
      const s = net.connect(p.outbound.port, '127.0.0.1');
      let d = '';
      s.on('data', (c) => (d += c));
      s.on('close', () => resolve(d));
      s.write('GET / HTTP/1.1\r\nHost: a\r\n'); // never finishes the header block
    });
    assert.match(out, /^HTTP\/1\.1 408/);
  });

  test('upstream trailers reach an HTTP/1.1 client that accepts them', async (t) => {
    const app = await httpBackend((_req, res) => {
      res.writeHead(200, { trailer: 'x-checksum' });
      res.write('part');
      res.addTrailers({ 'x-checksum': 'abc123' });
      res.end();
    });
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${app.addr.port}` });
    t.after(async () => {
      await p.close();
      await app.close();
    });
    const out = await rawExchange(p.outbound.port, 'GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\n', 1);
    assert.match(out, /x-checksum: abc123/i);
  });
});
