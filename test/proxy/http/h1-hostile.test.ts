// Hostile HTTP/1 input against a real proxy: every request-smuggling shape, oversized and
// over-counted heads, malformed chunked bodies and a slow client each get the proxy's own
// error (400/431/408 with weft-proxy-error) on both listeners; nothing reaches the app, the
// limit is counted, and the proxy keeps serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { metricValue, startTestProxy, url } from '../../helpers/proxy.js';
import { tcpBackend, type Backend } from '../../helpers/servers.js';

/** Writes `payload` and collects the answer until the proxy closes (or 3 s). */
function exchange(to: Address, payload: string, holdOpenMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(to.port, to.host);
    let got = '';
    s.on('data', (c) => (got += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    setTimeout(() => s.destroy(), 3000 + holdOpenMs);
    s.write(payload, 'latin1');
  });
}

const SHAPES: Record<string, string> = {
  'Content-Length with Transfer-Encoding': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'two Content-Lengths': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde',
  'obfuscated Transfer-Encoding': 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, cow\r\n\r\n0\r\n\r\n',
  'Transfer-Encoding with a space before the colon': 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  'obs-fold': 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n',
  'bare LF': 'GET / HTTP/1.1\nHost: a\r\n\r\n',
  'NUL in a header': 'GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n',
  'a 20-digit Content-Length': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12345678901234567890\r\n\r\n',
  'two Hosts': 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
};

describe('hostile HTTP/1 input', () => {
  let app: Backend<net.Server>;
  let received = 0;
  let proxy: ProxyHandle;
  before(async () => {
    app = await tcpBackend((s) => {
      s.on('data', (c: Buffer) => {
        received += c.length;
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
    proxy = await startTestProxy({
      WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr),
      WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr),
      WEFT_PROXY_HTTP_HEADERS_TIMEOUT_MS: '300',
    });
  });
  after(async () => {
    await proxy.close();
    await app.close();
  });

  for (const [name, payload] of Object.entries(SHAPES)) {
    test(`${name}: 400 with weft-proxy-error on both listeners, nothing forwarded`, async () => {
      for (const listener of [proxy.outbound, proxy.inbound]) {
        const before = received;
        const answer = await exchange(listener, payload);
        assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/, answer);
        assert.match(answer, /weft-proxy-error: malformed request/i);
        assert.match(answer, /connection: close/);
        assert.equal(received, before, 'bytes reached the app');
      }
    });
  }

  test('a malformed chunked body after a good head: 400, and the bad bytes go no further than the first chunk', async () => {
    const answer = await exchange(proxy.outbound, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /weft-proxy-error: malformed request body/);
  });

  test('more header fields than allowed: 431, not silently dropped', async () => {
    const head = 'GET / HTTP/1.1\r\nHost: a\r\n' + Array.from({ length: 120 }, (_, i) => `X-${i}: v\r\n`).join('') + '\r\n';
    const answer = await exchange(proxy.outbound, head);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.ok((await metricValue(proxy, 'proxy_limit_hits_total', { limit: 'http1_header_count' })) >= 1);
  });

  test('a client too slow to finish its head: 408 within the bound', async () => {
    const started = Date.now();
    const answer = await exchange(proxy.outbound, 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ');
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.ok((await metricValue(proxy, 'proxy_limit_hits_total', { limit: 'http1_headers_timeout' })) >= 1);
  });

  test('after all that the proxy still serves, and malformed requests were counted', async () => {
    const r = await fetch(url(proxy.outbound, '/fine'));
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'ok');
    assert.ok((await metricValue(proxy, 'proxy_limit_hits_total', { limit: 'http1_malformed' })) >= Object.keys(SHAPES).length * 2);
  });
});
