// The HTTP/1 forwarder sends a request head on as the client's own bytes when nothing in it is
// for this hop and no layer changed it (h1-forward.ts nextHopHead), and rebuilds it otherwise;
// an empty body's Content-Length: 0 is kept either way, on requests and answers. A raw backend
// records the bytes each request head arrives as.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { startProxyPair, startTestProxy, type ProxyPair } from '../../helpers/proxy.js';
import { formatAddress } from '../../../src/lib/address.js';

/** What the backend answers to /rich: mixed case, odd spacing, and two lines for one hop only. */
const RICH_ANSWER = 'HTTP/1.1 200 Fine\r\nServer: Rec\r\nConnection: keep-alive\r\nX-Mixed:  v \r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok';

/** A backend that answers every head with an empty 200 (RICH_ANSWER on /rich) and keeps each head's bytes. */
async function recordingBackend(): Promise<{ port: number; heads: string[]; close: () => Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end + 4);
        heads.push(head);
        buf = buf.slice(end + 4);
        s.write(head.includes(' /rich') ? RICH_ANSWER : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    heads,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/** Sends `head` on a new connection and resolves with the whole answer once `done` says so. */
function exchange(port: number, head: string, done: (got: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (done(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.write(head);
  });
}

/** Sends `head` on a new connection: the status line of a 200, else the whole answer (to show why). */
function send(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        s.destroy();
        resolve(got.startsWith('HTTP/1.1 200') ? got.slice(0, got.indexOf('\r\n')) : got);
      }
    });
    s.on('error', reject);
    s.write(head);
  });
}

describe('HTTP/1 heads on the next hop', () => {
  let backend: Awaited<ReturnType<typeof recordingBackend>>;
  let proxy: ProxyHandle;
  let pair: ProxyPair;
  before(async () => {
    backend = await recordingBackend();
    proxy = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${backend.port}` });
    pair = await startProxyPair({ host: '127.0.0.1', port: backend.port });
  });
  after(async () => {
    await pair.close();
    await proxy.close();
    await backend.close();
  });
  const last = (): string => backend.heads[backend.heads.length - 1] as string;

  test('an end-to-end head goes on byte for byte: case, spacing and order kept', async () => {
    const head = 'POST /a/b?c=1 HTTP/1.1\r\nHost: svc.example\r\nX-Mixed-Case:  spaced value \r\nAccept: */*\r\nContent-Length: 0\r\n\r\n';
    assert.equal(await send(proxy.outbound.port, head), 'HTTP/1.1 200 OK');
    assert.equal(last(), head);
  });

  test('a head with hop-by-hop fields is rebuilt without them', async () => {
    const head = 'GET /h HTTP/1.1\r\nHost: svc.example\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-Kept: yes\r\n\r\n';
    assert.equal(await send(proxy.outbound.port, head), 'HTTP/1.1 200 OK');
    assert.equal(last(), 'GET /h HTTP/1.1\r\nhost: svc.example\r\nx-kept: yes\r\n\r\n');
    const te = 'GET /t HTTP/1.1\r\nHost: svc.example\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\n\r\n';
    assert.equal(await send(proxy.outbound.port, te), 'HTTP/1.1 200 OK');
    assert.equal(last(), 'GET /t HTTP/1.1\r\nhost: svc.example\r\nte: trailers\r\n\r\n');
  });

  test('HTTP/1.0, no Host, or an absolute-form target: rebuilt as HTTP/1.1 with a Host', async () => {
    assert.equal(await send(proxy.outbound.port, 'GET /old HTTP/1.0\r\nHost: svc.example\r\n\r\n'), 'HTTP/1.1 200 OK');
    assert.equal(last(), 'GET /old HTTP/1.1\r\nhost: svc.example\r\n\r\n');
    const authority = `127.0.0.1:${backend.port}`;
    assert.equal(await send(proxy.outbound.port, `GET http://${authority}/abs HTTP/1.1\r\nHost: ${authority}\r\n\r\n`), 'HTTP/1.1 200 OK');
    assert.equal(last(), `GET /abs HTTP/1.1\r\nhost: ${authority}\r\n\r\n`);
  });

  test('Content-Length: 0 stays declared both ways, so an empty answer ends on a kept-alive connection', async () => {
    // Rebuilt (Connection names a field): the request's "Content-Length: 0" is restated.
    const head = 'POST /empty HTTP/1.1\r\nHost: svc.example\r\nConnection: x-hop\r\nX-Hop: 1\r\nContent-Length: 0\r\n\r\n';
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(proxy.outbound.port, '127.0.0.1');
      let got = '';
      s.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (got.includes('\r\n\r\n')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
      s.write(head);
    });
    assert.equal(last(), 'POST /empty HTTP/1.1\r\nhost: svc.example\r\ncontent-length: 0\r\n\r\n');
    // The backend answered 200 with Content-Length: 0: without it the client would wait for a close.
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(answer, /\r\ncontent-length: 0\r\n/i);
  });

  test("an upstream's answer head goes on as it came, less its Connection and Keep-Alive lines", async () => {
    const answer = await exchange(proxy.outbound.port, 'GET /rich HTTP/1.1\r\nHost: svc.example\r\n\r\n', (got) => got.endsWith('\r\n\r\nok'));
    assert.equal(answer, 'HTTP/1.1 200 Fine\r\nServer: Rec\r\nX-Mixed:  v \r\nContent-Length: 2\r\n\r\nok');
    // A client that asks to close gets the answer with `connection: close`, and the close.
    const closing = await exchange(proxy.outbound.port, 'GET /rich HTTP/1.1\r\nHost: svc.example\r\nConnection: close\r\n\r\n', (got) => got.endsWith('\r\n\r\nok'));
    assert.equal(closing, 'HTTP/1.1 200 Fine\r\nServer: Rec\r\nX-Mixed:  v \r\nContent-Length: 2\r\nconnection: close\r\n\r\nok');
    // Through the pair (two hops), the same.
    const paired = await exchange(pair.entry.port, 'GET /rich HTTP/1.1\r\nHost: svc.example\r\n\r\n', (got) => got.endsWith('\r\n\r\nok'));
    assert.equal(paired, 'HTTP/1.1 200 Fine\r\nServer: Rec\r\nX-Mixed:  v \r\nContent-Length: 2\r\n\r\nok');
  });

  test('a header a layer replaced is never passed on as the client sent it (a spoofed client id)', async () => {
    // Through the pair, the inbound proxy owns the client-id header: a client's own value is
    // replaced (same field count, so only change tracking, not the list's length, can tell).
    const spoof = 'GET /id HTTP/1.1\r\nHost: svc.example\r\nweft-client-id: admin.spoofed\r\nl5d-client-id: admin.spoofed\r\n\r\n';
    assert.equal(await send(pair.entry.port, spoof), 'HTTP/1.1 200 OK');
    assert.doesNotMatch(last(), /spoofed/);
    assert.match(last(), /^GET \/id HTTP\/1\.1\r\n/);
  });

  test('the proxy pair passes an end-to-end head through both hops unchanged', async () => {
    const head = `GET /pair HTTP/1.1\r\nHost: ${formatAddress({ host: '127.0.0.1', port: backend.port })}\r\nUser-Agent: Test/1\r\n\r\n`;
    assert.equal(await send(pair.entry.port, head), 'HTTP/1.1 200 OK');
    assert.equal(last(), head);
  });
});
