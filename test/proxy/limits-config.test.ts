// The per-proxy and per-session limits are configuration (issue 13): a listener's connection
// bound (WEFT_PROXY_MAX_CONNECTIONS) and the HTTP/2 session limits (WEFT_PROXY_H2_*), each
// against a real proxy process, each hit counted in proxy_limit_hits_total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { formatAddress, type Address } from '../../src/lib/address.js';
import { parseProxyConfig } from '../../src/proxy/config.js';
import { FRAME, PREFACE, frame, parseFrames, rapidResetBytes } from '../helpers/h2-frames.js';
import { until } from '../helpers/http-load.js';
import { metric, rawExchange } from '../helpers/proxy-probe.js';
import { startProxyProcess } from '../helpers/proxy-process.js';
import { h2Backend, httpBackend } from '../helpers/servers.js';

const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
const { NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** An HTTP/1 GET on an already open socket (keep-alive); resolves with the status. */
function getOn(socket: net.Socket, to: Address): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ createConnection: () => socket, host: to.host, port: to.port, path: '/', headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(to: Address): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(to.port, to.host, () => resolve(s));
    s.once('error', reject);
  });
}

test('WEFT_PROXY_MAX_CONNECTIONS: a listener holds that many connections; the next is closed at accept and counted; one closed makes room', { timeout: 30_000 }, async (t) => {
  const app = await httpBackend((_req, res) => res.end('ok'));
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_MAX_CONNECTIONS: '5' });
  const held: net.Socket[] = [];
  t.after(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 5; i++) {
    const s = await connect(p.outbound);
    held.push(s);
    assert.equal(await getOn(s, p.outbound), 200, `connection ${i + 1} is served`);
  }
  const sixth = await rawExchange(p.outbound, Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n'), 3000);
  assert.ok(sixth.closedByPeer, 'the sixth connection was closed');
  assert.equal(sixth.answer.length, 0, 'and never served');
  assert.equal(await metric(p.admin, 'proxy_limit_hits_total', 'limit="max_connections"'), 1);
  assert.equal(await metric(p.admin, 'proxy_limit_hits_total', 'direction="outbound",limit="max_connections"'), 1);

  held.shift()?.destroy();
  // The proxy frees the slot once it has read the close: try until then (bounded).
  let status = 0;
  await until('a new connection fits again', async () => {
    const next = await connect(p.outbound);
    held.push(next);
    status = await getOn(next, p.outbound).catch(() => 0);
    return status === 200;
  }, 5000);
  assert.equal(status, 200);
});

test('WEFT_PROXY_H2_*: the stream limit is advertised, the reset budget is the configured one', { timeout: 30_000 }, async (t) => {
  const app = await h2Backend((s) => {
    s.on('error', () => {});
    s.respond({ ':status': 200 });
    s.end('ok');
  });
  t.after(() => app.close());
  const p = await startProxyProcess(t, {
    WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr),
    WEFT_PROXY_IDENTITY_DISABLED: '1',
    WEFT_PROXY_H2_MAX_CONCURRENT_STREAMS: '7',
    WEFT_PROXY_H2_RESET_BURST: '20',
    WEFT_PROXY_H2_RESETS_PER_SECOND: '1',
  });
  const hello = await rawExchange(p.outbound, Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0)]), 500);
  const settings = parseFrames(hello.answer).find((f) => f.type === FRAME.SETTINGS && (f.flags & 1) === 0);
  assert.ok(settings, 'the proxy sent its SETTINGS');
  const values = new Map<number, number>();
  for (let i = 0; i + 6 <= settings.payload.length; i += 6) values.set(settings.payload.readUInt16BE(i), settings.payload.readUInt32BE(i + 2));
  assert.equal(values.get(SETTINGS_MAX_CONCURRENT_STREAMS), 7);

  // Ten resets fit the budget of 20: the session stays open (the exchange ends by our timeout).
  const within = await rawExchange(p.outbound, rapidResetBytes(10), 1000);
  assert.equal(within.closedByPeer, false, 'ten resets closed the session');
  assert.equal(await metric(p.admin, 'proxy_limit_hits_total', 'limit="h2_reset_flood"'), 0);
  // Fifty do not: GOAWAY(ENHANCE_YOUR_CALM), counted.
  const over = await rawExchange(p.outbound, rapidResetBytes(50), 5000);
  assert.ok(over.closedByPeer, 'fifty resets did not close the session');
  const codes = parseFrames(over.answer).filter((f) => f.type === FRAME.GOAWAY).map((f) => f.payload.readUInt32BE(4));
  assert.ok(codes.includes(NGHTTP2_ENHANCE_YOUR_CALM) || over.resetByPeer, `GOAWAY codes ${codes.join(',')}`);
  assert.equal(await metric(p.admin, 'proxy_limit_hits_total', 'limit="h2_reset_flood"'), 1);
});

test('the limits are checked when the proxy starts: a bad value names its variable', () => {
  for (const name of ['WEFT_PROXY_MAX_CONNECTIONS', 'WEFT_PROXY_H2_MAX_CONCURRENT_STREAMS', 'WEFT_PROXY_H2_RESET_BURST', 'WEFT_PROXY_H2_RESETS_PER_SECOND', 'WEFT_PROXY_H2_MAX_SESSION_MEMORY_MB']) {
    assert.throws(() => parseProxyConfig({ [name]: '0' }), new RegExp(name));
    assert.throws(() => parseProxyConfig({ [name]: 'many' }), new RegExp(name));
  }
  const cfg = parseProxyConfig({ WEFT_PROXY_MAX_CONNECTIONS: '100', WEFT_PROXY_H2_MAX_SESSION_MEMORY_MB: '8' });
  assert.equal(cfg.maxConnections, 100);
  assert.equal(cfg.h2.maxSessionMemoryMb, 8);
  assert.equal(cfg.h2.resetBurst, 500);
});
