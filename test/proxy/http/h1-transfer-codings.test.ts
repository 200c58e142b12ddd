// An answer's transfer codings other than chunked ("Transfer-Encoding: gzip, chunked") reach the
// client whether the proxy passes the head on or rebuilds it (head.ts keeps them in the framing,
// response.ts restates them): the proxy decodes none, so dropping them would hand the client
// gzip-coded bytes as the payload. Proxy-Connection in the answer forces the rebuilt head.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { startTestProxy } from '../../helpers/proxy.js';

const PAYLOAD = 'hello, coded world';
const CODED = gzipSync(PAYLOAD);
const chunk = (b: Buffer): Buffer => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);

/** Raw answers by path: gzip then chunked (head passable or not), and gzip alone until close. */
function answer(path: string): { bytes: Buffer; close: boolean } {
  const hop = path.includes('rebuilt') ? 'Proxy-Connection: keep-alive\r\n' : '';
  if (path.startsWith('/close')) return { bytes: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n${hop}\r\n`), CODED]), close: true };
  const body = Buffer.concat([chunk(CODED.subarray(0, 7)), chunk(CODED.subarray(7)), Buffer.from('0\r\n\r\n')]);
  return { bytes: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n${hop}\r\n`), body]), close: false };
}

/** Splits an answer into its head (lower-cased) and body bytes, de-chunking a chunked body. */
function split(raw: Buffer): { head: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end).toString('latin1').toLowerCase();
  let rest = raw.subarray(end + 4);
  if (!/transfer-encoding: [^\r]*chunked/.test(head)) return { head, body: rest };
  const parts: Buffer[] = [];
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
    if (size === 0) break;
    parts.push(rest.subarray(eol + 2, eol + 2 + size));
    rest = rest.subarray(eol + 4 + size);
  }
  return { head, body: Buffer.concat(parts) };
}

/** One request on a new connection; the whole answer once it ends (close, or the last chunk). */
function fetchRaw(port: number, head: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const done = (): void => resolve(Buffer.concat(got));
    s.on('data', (c: Buffer) => {
      got.push(c);
      if (Buffer.concat(got).includes('0\r\n\r\n')) {
        s.destroy();
        done();
      }
    });
    s.on('end', done);
    s.on('error', reject);
    s.write(head);
  });
}

describe('transfer codings other than chunked', () => {
  let backend: net.Server;
  let proxy: ProxyHandle;
  before(async () => {
    backend = net.createServer((s) => {
      s.on('error', () => {});
      // Every head gets its answer: the proxy reuses pooled connections.
      s.on('data', (c: Buffer) => {
        const path = c.toString('latin1').split(' ')[1] ?? '/';
        const a = answer(path);
        if (a.close) s.end(a.bytes);
        else s.write(a.bytes);
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    proxy = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${(backend.address() as net.AddressInfo).port}` });
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((r) => backend.close(() => r()));
  });

  for (const path of ['/chunked-passed', '/chunked-rebuilt', '/close-passed', '/close-rebuilt']) {
    test(`${path}: the client is told of gzip and gets the coded bytes whole`, async () => {
      const { head, body } = split(await fetchRaw(proxy.outbound.port, `GET ${path} HTTP/1.1\r\nHost: app\r\n\r\n`));
      assert.match(head, /^http\/1\.1 200 /);
      assert.match(head, path.startsWith('/chunked') ? /\r\ntransfer-encoding: gzip, chunked(\r\n|$)/ : /\r\ntransfer-encoding: gzip(\r\n|$)/, head);
      assert.doesNotMatch(head, /proxy-connection/);
      assert.equal(gunzipSync(body).toString(), PAYLOAD);
    });
  }

  test('an HTTP/1.0 client: the chunks are undone, gzip stays declared', async () => {
    const { head, body } = split(await fetchRaw(proxy.outbound.port, 'GET /chunked-rebuilt HTTP/1.0\r\nHost: app\r\n\r\n'));
    assert.match(head, /\r\ntransfer-encoding: gzip(\r\n|$)/, head);
    assert.match(head, /\r\nconnection: close(\r\n|$)/);
    assert.equal(gunzipSync(body).toString(), PAYLOAD);
  });
});
