// WebSocket (HTTP/1.1 Upgrade) through a proxy pair, with the real `ws` client and server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { formatAddress } from '../../../src/lib/address.js';
import { startProxyPair } from '../../helpers/proxy.js';

test('a WebSocket echo works through the pair, text and binary', async (t) => {
  const server = http.createServer((_q, s) => s.end('plain'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m, isBinary) => ws.send(m, { binary: isBinary })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const app = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  const pair = await startProxyPair(app);
  t.after(async () => {
    await pair.close();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const ws = new WebSocket(`ws://${formatAddress(pair.entry)}/chat`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const replies: string[] = [];
  const done = new Promise<void>((resolve) =>
    ws.on('message', (m: Buffer, isBinary) => {
      replies.push(isBinary ? `bin:${m.length}` : m.toString());
      if (replies.length === 3) resolve();
    }),
  );
  ws.send('hello');
  ws.send(Buffer.alloc(70_000, 1), { binary: true });
  ws.send('bye');
  await done;
  assert.deepEqual(replies, ['hello', 'bin:70000', 'bye']);
  ws.close();
  await new Promise((r) => ws.once('close', r));
});

test('an upstream that refuses the upgrade answers with its ordinary response', async (t) => {
  const server = http.createServer((_q, s) => s.writeHead(404).end('no websockets here'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const pair = await startProxyPair({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  t.after(async () => {
    await pair.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const ws = new WebSocket(`ws://${formatAddress(pair.entry)}/`);
  const status = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
  assert.equal(status, 404);
});
