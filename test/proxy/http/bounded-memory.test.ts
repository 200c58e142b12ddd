// Bounded memory against a real proxy process: a client that never reads its (large) response
// on HTTP/1 and on HTTP/2 — backpressure reaches the app, the proxy buffers a bounded amount —
// and 2,000 idle keep-alive connections cost a bounded number of KB each (bench/idle-conns.ts
// measures 10,000 for bench/RESULTS.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { formatAddress } from '../../../src/lib/address.js';
import { sleep } from '../../helpers/http-load.js';
import { metric } from '../../helpers/proxy-probe.js';
import { startProxyProcess } from '../../helpers/proxy-process.js';
import { h2Backend, httpBackend } from '../../helpers/servers.js';
import { openIdleConnections } from '../../../bench/idle-open.js';

const TOTAL = 200 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 120);

/** Writes up to TOTAL bytes, honouring backpressure; counts what the proxy accepted. */
function stream(out: NodeJS.WritableStream & { destroyed: boolean }, sent: { bytes: number }): void {
  const pump = (): void => {
    while (sent.bytes < TOTAL && !out.destroyed) {
      sent.bytes += CHUNK.length;
      if (!out.write(CHUNK)) return void out.once('drain', pump);
    }
    if (!out.destroyed) out.end();
  };
  pump();
}

test('an HTTP/1 client that never reads a 200 MB response: backpressure reaches the app, the proxy holds a bounded amount', { timeout: 60_000 }, async (t) => {
  const sent = { bytes: 0 };
  const app = await httpBackend((_q, s) => {
    s.on('error', () => {});
    s.writeHead(200, { 'content-type': 'application/octet-stream' });
    stream(s as unknown as NodeJS.WritableStream & { destroyed: boolean }, sent);
  });
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  const baseline = p.rssKb();
  const socket = net.connect(p.outbound.port, p.outbound.host);
  t.after(() => socket.destroy());
  socket.on('error', () => {});
  socket.write(`GET /big HTTP/1.1\r\nhost: ${formatAddress(app.addr)}\r\n\r\n`);
  socket.pause(); // never read
  await sleep(3000);
  const stalled = sent.bytes;
  await sleep(1000);
  const grown = p.rssKb() - baseline;
  t.diagnostic(`app wrote ${(stalled / 1e6).toFixed(1)} MB of 210 MB before stalling; proxy RSS +${(grown / 1024).toFixed(1)} MB`);
  assert.ok(stalled < 32 * 1024 * 1024, `the app could write ${stalled} bytes: no backpressure`);
  assert.equal(sent.bytes, stalled, 'the app kept writing: no backpressure');
  assert.ok(grown < 24 * 1024, `proxy RSS grew by ${grown} KiB`);
  // Reading now gets the whole body through.
  let got = 0;
  socket.on('data', (c: Buffer) => (got += c.length));
  socket.resume();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (got >= TOTAL) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  assert.ok(p.alive());
});

test('an HTTP/2 client that never reads a 200 MB response: flow control reaches the app, the proxy holds a bounded amount', { timeout: 60_000 }, async (t) => {
  const sent = { bytes: 0 };
  const app = await h2Backend((s) => {
    s.on('error', () => {});
    s.respond({ ':status': 200 });
    stream(s as unknown as NodeJS.WritableStream & { destroyed: boolean }, sent);
  });
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  const baseline = p.rssKb();
  const session = http2.connect(`http://${formatAddress(p.outbound)}`);
  t.after(() => session.destroy());
  session.on('error', () => {});
  const req = session.request({ ':path': '/big' });
  req.on('error', () => {});
  req.pause(); // never read: its window is never reopened
  req.end();
  await sleep(3000);
  const stalled = sent.bytes;
  await sleep(1000);
  const grown = p.rssKb() - baseline;
  t.diagnostic(`app wrote ${(stalled / 1e6).toFixed(1)} MB of 210 MB before stalling; proxy RSS +${(grown / 1024).toFixed(1)} MB`);
  assert.ok(stalled < 32 * 1024 * 1024, `the app could write ${stalled} bytes: no backpressure`);
  assert.equal(sent.bytes, stalled, 'the app kept writing: no backpressure');
  assert.ok(grown < 24 * 1024, `proxy RSS grew by ${grown} KiB`);
  let got = 0;
  req.on('data', (c: Buffer) => (got += c.length));
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.resume();
  });
  assert.equal(got, sent.bytes);
  assert.ok(p.alive());
});

test('2,000 idle HTTP/1 keep-alive connections cost a bounded number of KB each', { timeout: 90_000 }, async (t) => {
  const app = await httpBackend((_q, s) => s.end('ok'));
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  // Warm the code paths so their first-use cost is not charged to the connections.
  await new Promise<void>((resolve) => http.get(`http://${formatAddress(p.outbound)}/warm`, (r) => r.resume().on('end', resolve)));
  await sleep(500);
  const baseline = p.rssKb();
  const idle = await openIdleConnections(p.outbound, formatAddress(app.addr), 2000);
  t.after(() => idle.close());
  await sleep(1000);
  const kbPer = (p.rssKb() - baseline) / 2000;
  t.diagnostic(`${kbPer.toFixed(1)} KB of proxy RSS per idle keep-alive connection (2,000)`);
  assert.ok((await metric(p.admin, 'tcp_open_connections', 'direction="outbound"')) >= 2000, 'the proxy does not hold the 2,000 connections');
  assert.ok(kbPer < 40, `${kbPer.toFixed(1)} KB per idle connection`);
  assert.ok(p.alive());
});
