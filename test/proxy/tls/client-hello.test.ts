// The ClientHello reader on real hellos (from Node's TLS client), every truncation of them,
// mutations and random bytes: it extracts SNI/ALPN and never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { clientHelloHasAlpn, parseClientHello } from '../../../src/proxy/tls/client-hello.js';
import { MESH_ALPN } from '../../../src/proxy/tls/context.js';
import { listen } from './fixtures.js';

/** Captures the first bytes a Node TLS client sends with the given options. */
async function captureHello(t: Parameters<typeof listen>[0], opts: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  let first: Promise<Buffer> | undefined;
  const { port } = await listen(t, (s: Socket) => {
    first = once(s, 'data').then(([b]) => b as Buffer);
  });
  const c = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts });
  c.on('error', () => {});
  while (!first) await new Promise((r) => setTimeout(r, 5));
  const buf = await first;
  c.destroy();
  return buf;
}

function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('SNI and ALPN are read from a real ClientHello', async (t) => {
  const hello = await captureHello(t, { servername: 'api.shop.serviceaccount.identity.weft.cluster.local', ALPNProtocols: [MESH_ALPN, 'h2'] });
  const info = parseClientHello(hello);
  assert.equal(info.kind, 'client-hello');
  assert.ok(info.kind === 'client-hello');
  assert.equal(info.serverName, 'api.shop.serviceaccount.identity.weft.cluster.local');
  assert.deepEqual(info.alpn, [MESH_ALPN, 'h2']);
  assert.ok(clientHelloHasAlpn(hello));
  const app = await captureHello(t, { ALPNProtocols: ['h2', 'http/1.1'] });
  assert.equal(clientHelloHasAlpn(app), false);
  const info2 = parseClientHello(app);
  assert.ok(info2.kind === 'client-hello' && info2.serverName === undefined);
});

test('every truncation of a hello is incomplete or parsed, never thrown', async (t) => {
  const hello = await captureHello(t, { servername: 'x.example', ALPNProtocols: [MESH_ALPN] });
  for (let n = 0; n < hello.length; n++) {
    const info = parseClientHello(hello.subarray(0, n));
    assert.notEqual(info.kind, 'not-tls', `prefix ${n}`);
    if (info.kind === 'client-hello') assert.fail(`prefix ${n} of ${hello.length} parsed as complete`);
  }
  assert.equal(parseClientHello(hello).kind, 'client-hello');
});

test('non-TLS input is recognised at once', () => {
  for (const s of ['GET / HTTP/1.1\r\n', 'PRI * HTTP/2.0', '\x16\x01', '\x16\x03\x01\x00\x00']) {
    assert.equal(parseClientHello(Buffer.from(s, 'latin1')).kind, 'not-tls', JSON.stringify(s));
  }
});

test('fuzz: random and mutated inputs never throw', async (t) => {
  const hello = await captureHello(t, { servername: 'fuzz.example', ALPNProtocols: [MESH_ALPN, 'h2'] });
  const rnd = seeded(42);
  for (let i = 0; i < 20_000; i++) {
    let buf: Buffer;
    if (i % 2 === 0) {
      buf = Buffer.alloc(Math.floor(rnd() * 600));
      for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rnd() * 256);
      if (i % 4 === 0 && buf.length > 5) buf.set([0x16, 0x03, 0x01], 0);
    } else {
      buf = Buffer.from(hello.subarray(0, Math.floor(rnd() * (hello.length + 1))));
      const flips = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < flips && buf.length > 0; k++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
    }
    const info = parseClientHello(buf);
    assert.ok(['not-tls', 'incomplete', 'client-hello'].includes(info.kind));
    clientHelloHasAlpn(buf);
  }
});
