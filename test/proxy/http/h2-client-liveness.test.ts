// The upstream HTTP/2 pool drops sessions whose peer has stopped answering: a real HTTP/2
// server whose socket stops being read (a peer gone silent, as behind a partition) leaves the
// pool within PING interval + timeout, while a session to a live peer stays; and a session
// whose transport socket closes is destroyed with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net, { type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { closeWithSocket } from '../../../src/proxy/http/h2-client-liveness.js';
import { H2SessionPool } from '../../../src/proxy/http/h2-pool.js';
import { sleep, until } from '../../helpers/http-load.js';

async function h2Server(t: { after(fn: () => unknown): void }): Promise<{ port: number; sockets: Socket[] }> {
  const server = http2.createServer();
  const sockets: Socket[] = [];
  server.on('connection', (s: Socket) => sockets.push(s));
  server.on('stream', (s) => {
    s.respond({ ':status': 200 });
    s.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as { port: number }).port, sockets };
}

/** A peer that says its SETTINGS and then nothing more: it reads and drops every frame (no PING ACK). */
async function silentPeer(t: { after(fn: () => unknown): void }): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // an empty SETTINGS frame
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as { port: number }).port };
}

test('a session whose peer stops answering PINGs leaves the pool; a live one stays', { timeout: 10_000 }, async (t) => {
  const live = await h2Server(t);
  const silent = await silentPeer(t);
  const pool = new H2SessionPool({ connectTimeoutMs: 1000, idleTimeoutMs: 30_000, liveness: { intervalMs: 100, timeoutMs: 200 } });
  t.after(() => pool.close());
  const a = await pool.get({ host: '127.0.0.1', port: live.port });
  const b = await pool.get({ host: '127.0.0.1', port: silent.port });
  await Promise.all([a, b].map((s) => (s.connecting ? new Promise((r) => s.once('connect', r)) : undefined)));
  assert.equal(pool.size, 2);
  await until('the silent session is dropped', () => pool.size === 1, 3000);
  assert.equal(b.destroyed, true);
  await sleep(500);
  assert.equal(a.destroyed, false, 'the live session answered its PINGs');
  assert.equal(pool.get({ host: '127.0.0.1', port: live.port }), a);
});

test('a session is destroyed when its transport socket closes', async () => {
  const transport = new PassThrough();
  const session = http2.connect('http://127.0.0.1:1', { createConnection: () => transport as unknown as Socket });
  session.on('error', () => {});
  closeWithSocket(session, transport);
  transport.destroy();
  await until('destroyed', () => session.destroyed, 2000);
});
