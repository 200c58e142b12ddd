// The meshed transport header over a real TCP connection: round trip, split delivery, the
// bytes after it left for the app, and every kind of bad input refused with a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { once } from 'node:events';
import { encodeTransportHeader, readTransportHeader, writeTransportHeader } from '../../../src/proxy/tls/transport-header.js';
import { errorCode } from '../../../src/lib/errors.js';
import { listen } from './fixtures.js';

/** Returns the server side of a fresh loopback connection and the client side. */
async function pair(t: Parameters<typeof listen>[0]): Promise<{ server: Socket; client: Socket }> {
  let server: Socket | undefined;
  const { port } = await listen(t, (s) => {
    server = s;
  });
  const client = connect(port, '127.0.0.1');
  client.on('error', () => {});
  t.after(() => {
    client.destroy();
  });
  await once(client, 'connect');
  while (!server) await new Promise((r) => setTimeout(r, 2));
  return { server, client };
}

test('a header round-trips and the bytes after it stay for the app', async (t) => {
  const { server, client } = await pair(t);
  writeTransportHeader(client, { port: 8080, protocol: 'http1', name: 'web.shop.svc.cluster.local:8080' });
  client.write('GET / HTTP/1.1\r\n');
  await new Promise((r) => setTimeout(r, 20)); // both in one segment, most likely
  const h = await readTransportHeader(server);
  assert.deepEqual(h, { port: 8080, protocol: 'http1', name: 'web.shop.svc.cluster.local:8080' });
  server.resume();
  const [rest] = await once(server, 'data');
  assert.equal(String(rest), 'GET / HTTP/1.1\r\n');
});

test('a header delivered one byte at a time is read', async (t) => {
  const { server, client } = await pair(t);
  client.setNoDelay(true);
  const bytes = encodeTransportHeader({ port: 5432, protocol: 'opaque' });
  const reading = readTransportHeader(server);
  for (const b of bytes) {
    client.write(Buffer.from([b]));
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await reading, { port: 5432, protocol: 'opaque' });
});

test('bad input is refused with WEFT_ERR_TRANSPORT_HEADER', async (t) => {
  const json = (o: unknown) => {
    const body = Buffer.from(JSON.stringify(o));
    const head = Buffer.from('WFT1\0\0', 'latin1');
    head.writeUInt16BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  const cases: Buffer[] = [
    Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    Buffer.from('WFT1\x00\x00', 'latin1'),
    Buffer.from('WFT1\x10\x00', 'latin1'), // 4096 > max
    Buffer.concat([Buffer.from('WFT1\x00\x03', 'latin1'), Buffer.from('{x}')]),
    json({ port: 0, protocol: 'http1' }),
    json({ port: 70000, protocol: 'http1' }),
    json({ port: 80, protocol: 'HTTP/1.1' }),
    json({ port: 80, protocol: 'http1', name: '' }),
    json([80]),
  ];
  for (const c of cases) {
    const { server, client } = await pair(t);
    client.write(c);
    await assert.rejects(readTransportHeader(server, { timeoutMs: 2000 }), (e) => errorCode(e) === 'WEFT_ERR_TRANSPORT_HEADER', c.toString('latin1'));
  }
  assert.throws(() => encodeTransportHeader({ port: 1.5, protocol: 'x' }), (e) => errorCode(e) === 'WEFT_ERR_TRANSPORT_HEADER');
});

test('a peer that sends nothing or closes early is refused', async (t) => {
  const slow = await pair(t);
  await assert.rejects(readTransportHeader(slow.server, { timeoutMs: 100 }), /within 100 ms/);
  const early = await pair(t);
  early.client.end(Buffer.from('WFT1', 'latin1'));
  await assert.rejects(readTransportHeader(early.server), /ended before/);
});
