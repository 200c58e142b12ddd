// Quiet opaque connections: kept by default however long they are silent (a database pool's
// connection, a WebSocket between messages), as Linkerd keeps them, with TCP keep-alive probing
// both sockets so a vanished peer is still found; WEFT_PROXY_TCP_IDLE_TIMEOUT_MS bounds them
// when asked. The HTTP idle timeout (WEFT_PROXY_IDLE_TIMEOUT_MS) does not apply to them.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { formatAddress } from '../../../src/lib/address.js';
import { TCP_KEEPALIVE_MS } from '../../../src/proxy/tcp/forward.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { startProxyPair, startTestProxy } from '../../helpers/proxy.js';
import { tcpBackend } from '../../helpers/servers.js';

/** Writes `text` and resolves with the next `text.length` bytes read. */
function roundTrip(s: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (c: Buffer): void => {
      got += c.toString('latin1');
      if (got.length < text.length) return;
      s.off('data', onData);
      s.off('close', onClose);
      resolve(got);
    };
    const onClose = (): void => reject(new Error(`closed after ${JSON.stringify(got)}`));
    s.on('data', onData);
    s.once('close', onClose);
    s.write(text);
  });
}

/** ss's view of established TCP connections to `port` (timers included). */
const connectionsTo = (port: number): string => execFileSync('ss', ['-tnoH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });

/** A client connection through a proxy to a backend on an opaque port (an echo unless `onConn` says otherwise). */
async function opaqueConnection(t: TestContext, env: Record<string, string>, onConn?: (s: net.Socket) => void): Promise<{ s: net.Socket; echoPort: number; proxy: ProxyHandle }> {
  const echo = await tcpBackend(onConn);
  // The echo's port is an opaque port: no detection, bytes flow at once.
  const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(echo.addr), WEFT_PROXY_OPAQUE_PORTS: String(echo.addr.port), ...env });
  const s = net.connect(p.outbound.port, '127.0.0.1');
  s.on('error', () => {});
  t.after(async () => {
    s.destroy();
    await p.close();
    await echo.close();
  });
  return { s, echoPort: echo.addr.port, proxy: p };
}

test('a quiet opaque connection outlives the HTTP idle timeout, both its sockets probed by TCP keep-alive', async (t) => {
  const { s, echoPort } = await opaqueConnection(t, { WEFT_PROXY_IDLE_TIMEOUT_MS: '150' });
  assert.equal(await roundTrip(s, 'before'), 'before');
  await sleep(700); // more than four HTTP idle timeouts without a byte either way
  assert.equal(await roundTrip(s, 'after the silence'), 'after the silence');
  // The proxy's connection to the app carries a keep-alive timer (what finds a vanished peer).
  const upstream = connectionsTo(echoPort);
  assert.match(upstream, /timer:\(keepalive,/, `ss: ${upstream}`);
  const [, value, unit] = /timer:\(keepalive,([\d.]+)(ms|sec|min)/.exec(upstream) ?? [];
  const firstMs = Number(value) * (unit === 'ms' ? 1 : unit === 'sec' ? 1000 : 60_000);
  assert.ok(firstMs > 0 && firstMs <= TCP_KEEPALIVE_MS, `first probe within ${TCP_KEEPALIVE_MS} ms: ${upstream}`);
});

test('WEFT_PROXY_TCP_IDLE_TIMEOUT_MS resets an opaque connection silent that long, and not one that talks', async (t) => {
  const { s } = await opaqueConnection(t, { WEFT_PROXY_TCP_IDLE_TIMEOUT_MS: '300' });
  const t0 = performance.now();
  // Talking every 100 ms for 600 ms: twice the timeout, never silent for it.
  for (let i = 0; i < 7; i++) {
    if (i > 0) await sleep(100);
    assert.equal(await roundTrip(s, `tick ${i}`), `tick ${i}`);
  }
  const quietFrom = performance.now();
  const closed = new Promise<number>((resolve) => s.once('close', () => resolve(performance.now())));
  const at = await Promise.race([closed, sleep(3000).then(() => -1)]);
  assert.notEqual(at, -1, 'reset within 3 s of silence');
  assert.ok(at - quietFrom >= 250, `reset ${Math.round(at - quietFrom)} ms into the silence`);
  assert.ok(quietFrom - t0 >= 600);
});

test('a WebSocket silent past the HTTP idle timeout still carries messages', async (t) => {
  const server = http.createServer((_q, r) => r.end('plain'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m.toString())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const pair = await startProxyPair({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, { WEFT_PROXY_IDLE_TIMEOUT_MS: '150' });
  const ws = new WebSocket(`ws://${formatAddress(pair.entry)}/`);
  t.after(async () => {
    ws.terminate();
    await pair.close();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const echo = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('close', (code) => reject(new Error(`closed (${code})`)));
      ws.send(text);
    });
  assert.equal(await echo('hello'), 'hello');
  await sleep(700);
  assert.equal(await echo('still here'), 'still here');
});

test('an opaque connection cut at the drain deadline is closed on the app side too, not left open', async (t) => {
  let appSide: net.Socket | undefined;
  const { s, proxy } = await opaqueConnection(t, { WEFT_PROXY_SHUTDOWN_GRACE_MS: '200' }, (c) => {
    appSide = c;
    c.pipe(c);
  });
  assert.equal(await roundTrip(s, 'open'), 'open');
  assert.ok(appSide);
  const appClosed = new Promise<void>((resolve) => appSide?.once('close', () => resolve()));
  const clientClosed = new Promise<void>((resolve) => s.once('close', () => resolve()));
  // The client and the app both keep the connection: only the drain's deadline ends it.
  await proxy.drain();
  const outcome = await Promise.race([Promise.all([appClosed, clientClosed]).then(() => 'closed'), sleep(3000).then(() => 'still open')]);
  assert.equal(outcome, 'closed');
});
