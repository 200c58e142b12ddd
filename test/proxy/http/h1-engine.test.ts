// The proxy's HTTP/1 engine end to end, through one real hop to raw upstreams that do exactly
// what each case needs: re-framing for an HTTP/1.0 client, bodiless responses, close-delimited
// and malformed responses, an upstream that answers early, large bodies both ways, a client
// that never reads (bounded buffering), pipelined bodies, keep-alive expiry, stale pooled
// connections and a client that leaves mid-response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { sleep, until } from '../../helpers/http-load.js';
import { startTestProxy } from '../../helpers/proxy.js';
import { tcpBackend } from '../../helpers/servers.js';

type After = { after(fn: () => void | Promise<void>): void };

/** A raw upstream: `onRequest` gets each request's bytes (as they come) and the socket. */
async function rawUpstream(t: After, onData: (s: net.Socket, chunk: Buffer) => void): Promise<{ addr: Address; connections: () => number }> {
  let connections = 0;
  const b = await tcpBackend((s) => {
    connections++;
    s.on('data', (c: Buffer) => onData(s, c));
  });
  t.after(() => b.close());
  return { addr: b.addr, connections: () => connections };
}

async function hop(t: After, to: Address, env: Record<string, string> = {}): Promise<ProxyHandle> {
  const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(to), ...env });
  t.after(() => p.close());
  return p;
}

/** Sends raw bytes and collects everything until the proxy closes or `ms` pass. */
function raw(to: Address, payload: string | Buffer, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(to.port, to.host);
    let got = '';
    const timer = setTimeout(() => s.destroy(), ms);
    s.on('data', (c) => (got += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.write(payload);
  });
}

test('an HTTP/1.0 client gets a chunked upstream response decoded and close-delimited', async (t) => {
  const up = await rawUpstream(t, (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'));
  const p = await hop(t, up.addr);
  const answer = await raw(p.outbound, 'GET / HTTP/1.0\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(answer, /transfer-encoding/i);
  assert.match(answer, /connection: close\r\n\r\nhello world$/);
});

test('bodiless answers: HEAD keeps its Content-Length, 204 and 304 carry no body, and the connection is reused', async (t) => {
  const up = await rawUpstream(t, (s, c) => {
    const line = c.toString('latin1');
    if (line.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
    else if (line.includes('/204')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
    else s.write('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n');
  });
  const p = await hop(t, up.addr);
  const answer = await raw(p.outbound, 'HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  const heads = answer.split('\r\n\r\n').filter(Boolean);
  assert.equal(heads.length, 3, answer);
  assert.match(heads[0] as string, /^HTTP\/1\.1 200 OK\r\ncontent-length: 1234$/i); // as the upstream spelled it (passed on) or lower-cased (rebuilt)
  assert.match(heads[1] as string, /^HTTP\/1\.1 204 No Content$/);
  assert.match(heads[2] as string, /^HTTP\/1\.1 304 Not Modified\r\netag: "x"\r\nconnection: close$/i);
  assert.equal(up.connections(), 1);
});

test('a close-delimited upstream response reaches the client whole; a malformed one is a 502', async (t) => {
  const closing = await rawUpstream(t, (s) => s.end('HTTP/1.1 200 OK\r\n\r\nall of it until the end'));
  const p1 = await hop(t, closing.addr);
  assert.match(await raw(p1.outbound, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'), /connection: close\r\n\r\nall of it until the end$/);
  const broken = await rawUpstream(t, (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'));
  const p2 = await hop(t, broken.addr);
  const answer = await raw(p2.outbound, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(answer, /weft-proxy-error: .*malformed response/);
});

test('an upstream that answers before reading the body: the client gets that answer', async (t) => {
  const up = await rawUpstream(t, (s) => s.end('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  const p = await hop(t, up.addr);
  const s = net.connect(p.outbound.port, '127.0.0.1');
  t.after(() => s.destroy());
  const answer = new Promise<string>((resolve) => {
    let got = '';
    s.on('data', (c) => {
      got += c.toString('latin1');
      if (got.includes('\r\n\r\n')) resolve(got);
    });
  });
  s.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\nstart of a big body');
  assert.match(await answer, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
});

test('4 MB bodies both ways arrive intact (chunked up, content-length down)', async (t) => {
  const size = 4 << 20;
  let received = Buffer.alloc(0);
  const up = await rawUpstream(t, (s, c) => {
    received = Buffer.concat([received, c]);
    if (!received.toString('latin1', received.length - 5).endsWith('0\r\n\r\n')) return;
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
    s.write(Buffer.alloc(size, 0x61));
  });
  const p = await hop(t, up.addr);
  const res = await fetch(`http://${formatAddress(p.outbound)}/upload`, { method: 'POST', body: new Blob([Buffer.alloc(size, 0x62)]).stream(), duplex: 'half' } as RequestInit);
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200);
  assert.equal(body.length, size);
  assert.ok(body.every((b) => b === 0x61));
  // Decode what the upstream received: the upload's payload, whole.
  const text = received.toString('latin1');
  let i = text.indexOf('\r\n\r\n') + 4;
  let payload = 0;
  let bs = 0;
  for (;;) {
    const lf = text.indexOf('\r\n', i);
    const n = parseInt(text.slice(i, lf), 16);
    if (n === 0) break;
    for (let k = lf + 2; k < lf + 2 + n; k++) if (text.charCodeAt(k) === 0x62) bs++;
    payload += n;
    i = lf + 2 + n + 2;
  }
  assert.equal(payload, size);
  assert.equal(bs, size);
});

test('a client that never reads its response: the proxy buffers a bounded amount and stops reading the upstream', async (t) => {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x63);
  const up = await rawUpstream(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n');
    const pump = (): void => {
      while (written < 1 << 30) {
        written += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
    };
    pump();
  });
  const p = await hop(t, up.addr);
  const s = net.connect(p.outbound.port, '127.0.0.1');
  t.after(() => s.destroy());
  s.pause(); // never reads
  s.write('GET /stream HTTP/1.1\r\nHost: a\r\n\r\n');
  await sleep(1500);
  const first = written;
  await sleep(1000);
  t.diagnostic(`upstream could write ${(first / 1048576).toFixed(1)} MB before the proxy stopped reading`);
  assert.ok(first < 32 << 20, `upstream wrote ${first} bytes into a client that reads nothing`);
  assert.equal(written, first, 'the upstream kept being read');
  const rss = process.memoryUsage().rss;
  assert.ok(rss < 400 << 20, `test process (proxy included) at ${rss} bytes`);
});

test('pipelined requests with bodies are answered in order', async (t) => {
  // One request at a time per upstream connection, parsed by length.
  const pending = new Map<net.Socket, string>();
  const up = await rawUpstream(t, (s, c) => {
    let text = (pending.get(s) ?? '') + c.toString('latin1');
    for (;;) {
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = text.slice(0, end);
      const path = /^POST (\/\w+) /.exec(head)?.[1] ?? '?';
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (text.length < end + 4 + length) break;
      const body = text.slice(end + 4, end + 4 + length);
      text = text.slice(end + 4 + length);
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length + body.length + 1}\r\n\r\n${path}${body};`);
    }
    pending.set(s, text);
  });
  const p = await hop(t, up.addr);
  const req = (path: string, body: string): string => `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const answer = await raw(p.outbound, req('/one', 'aaa') + req('/two', 'bbbb') + req('/three', 'c') + req('/last', 'z').replace('Host: a', 'Host: a\r\nConnection: close'), 3000);
  const bodies = [...answer.matchAll(/\r\n\r\n(\/\w+);/g)].map((m) => m[1]);
  assert.deepEqual(bodies, ['/oneaaa', '/twobbbb', '/threec', '/lastz']);
});

test('an idle keep-alive client connection is closed after the keep-alive timeout', async (t) => {
  const up = await rawUpstream(t, (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const p = await hop(t, up.addr, { WEFT_PROXY_HTTP_KEEPALIVE_TIMEOUT_MS: '300' });
  const started = Date.now();
  const answer = await raw(p.outbound, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 5000);
  assert.match(answer, /ok$/);
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 2000, `closed after ${took} ms`);
});

test('a pooled connection the upstream closed without saying so: a GET is sent again, not failed', async (t) => {
  // Answers, then closes the connection a moment later (as a server with a short keep-alive).
  const up = await rawUpstream(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    setTimeout(() => s.destroy(), 20);
  });
  const p = await hop(t, up.addr);
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`http://${formatAddress(p.outbound)}/n${i}`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'ok');
    await sleep(50);
  }
});

test('a client that leaves mid-response: the upstream connection is closed too', async (t) => {
  let upstreamClosed = false;
  const up = await rawUpstream(t, (s) => {
    s.on('end', () => (upstreamClosed = true)); // (the test upstream is half-open: FIN shows as 'end')
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
  });
  const p = await hop(t, up.addr);
  const s = net.connect(p.outbound.port, '127.0.0.1');
  await new Promise<void>((resolve) => {
    s.on('data', () => {
      s.destroy();
      resolve();
    });
    s.write('GET /long HTTP/1.1\r\nHost: a\r\n\r\n');
  });
  await until('upstream connection closed', () => upstreamClosed, 2000);
});

test('a response head that arrives before its body reaches the client at once, not with the body', async (t) => {
  // The forwarder holds a head to write it with the body bytes of the same upstream read; when
  // the read holds no body bytes, the head must still go when that read is done.
  let sendBody: (() => void) | undefined;
  const up = await rawUpstream(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    sendBody = () => s.write('hello');
  });
  const p = await hop(t, up.addr);
  const c = net.connect(p.outbound.port, p.outbound.host);
  t.after(() => c.destroy());
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString('latin1')));
  c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await until('the head before the body', () => got.includes('\r\n\r\n'), 3000);
  assert.match(got, /^HTTP\/1\.1 200 OK\r\n[^]*content-length: 5\r\n\r\n$/i);
  assert.ok(sendBody);
  sendBody();
  await until('then the body', () => got.endsWith('\r\n\r\nhello'), 3000);
});
