// Regression (issue 18, item 1, the h2spec part): after a client's connection error nghttp2
// sends GOAWAY and stops reading, Node 20 never closes the session, and the client's FIN is
// never seen: the socket stayed in CLOSE_WAIT until the idle timeout (h2spec left 84 per
// listener). The probe (h2-liveness.ts) closes sessions that will not even send a PING; live
// clients keep their connection (idle, or reading slowly behind a large response), and idle
// ones still end at the idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { Logger } from '../../../src/lib/log.js';
import { FaultGuard } from '../../../src/proxy/guard.js';
import { createH2Server } from '../../../src/proxy/http/h2-server.js';
import { ProxyMetrics } from '../../../src/proxy/metrics/registry.js';
import { run } from '../../helpers/exec.js';
import { sleep, until } from '../../helpers/http-load.js';
import { CONNECTION_ERRORS } from '../../helpers/h2-frames.js';
import { DEFAULT_H2_LIMITS } from '../../../src/proxy/config.js';

const PROBE_MS = 100;

/** A listener like the proxy's (allowHalfOpen) handing every connection to an h2 server. */
async function h2Listener(t: { after(fn: () => Promise<void> | void): void }, idleTimeoutMs = 60_000, body: string | Buffer = 'ok'): Promise<{ port: number; open: () => number }> {
  const guard = new FaultGuard(new ProxyMetrics(), new Logger('error'));
  const h2 = createH2Server<null>({ maxHeaderBytes: 16384, maxHeaderCount: 100, idleTimeoutMs, headersTimeoutMs: 120_000, h2: DEFAULT_H2_LIMITS, guard, onLimit: () => {}, probeIntervalMs: PROBE_MS }, (stream) => {
    stream.on('error', () => {});
    stream.respond({ ':status': 200 });
    stream.end(body);
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    h2.accept(s, null);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }));
  return { port: (server.address() as net.AddressInfo).port, open: () => sockets.size };
}

async function closeWait(port: number): Promise<number> {
  const r = await run('ss', ['-H', '-t', '-n', 'state', 'close-wait', `( sport = :${port} )`]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

for (const [name, bytes] of Object.entries(CONNECTION_ERRORS)) {
  test(`a client that commits a connection error (${name}) and closes does not leave the socket in CLOSE_WAIT`, async (t) => {
    const l = await h2Listener(t);
    const client = net.connect(l.port, '127.0.0.1');
    client.on('error', () => {});
    client.on('data', () => {});
    await new Promise<void>((r) => client.once('connect', r));
    client.write(bytes);
    await sleep(50);
    client.end();
    // Without the probe: CLOSE_WAIT until the idle timeout (60 s here, 300 s in the proxy).
    await until('server socket closed', () => l.open() === 0, 20 * PROBE_MS);
    assert.equal(await closeWait(l.port), 0);
    client.destroy();
  });
}

test('a live client that stays idle keeps its session across many probes, and the idle timeout still ends it', async (t) => {
  const l = await h2Listener(t, 30 * PROBE_MS);
  const session = http2.connect(`http://127.0.0.1:${l.port}`);
  t.after(() => session.destroy());
  const closed = new Promise<void>((r) => session.once('close', r));
  const status = await new Promise<number>((resolve, reject) => {
    const req = session.request({ ':path': '/' });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.resume();
    req.end();
  });
  assert.equal(status, 200);
  // Ten probe intervals: pings sent and answered, the session untouched.
  await sleep(10 * PROBE_MS);
  assert.equal(l.open(), 1);
  assert.equal(session.closed || session.destroyed, false);
  // Our pings do not count as activity: the idle timeout (30 intervals) still closes it.
  const start = Date.now();
  await closed;
  assert.ok(Date.now() - start < 40 * PROBE_MS, 'the idle timeout did not fire');
});

test('a slow reader is not cut while it is being served, though our PING waits behind its data', async (t) => {
  const size = 16 << 20;
  const l = await h2Listener(t, 60_000, Buffer.alloc(size));
  // Server -> client bytes pass at ~3 MB/s; the client's windows are large, so it sends nothing
  // (no WINDOW_UPDATE) for many probe intervals while the proxy's writes keep completing.
  const held = new Set<net.Socket>();
  const relay = net.createServer((c) => {
    const u = net.connect(l.port, '127.0.0.1');
    for (const s of [c, u]) {
      held.add(s);
      s.on('error', () => {});
    }
    c.pipe(u);
    let budget = 0;
    const tick = setInterval(() => {
      budget = 32 * 1024;
      u.resume();
    }, 10);
    u.on('data', (chunk: Buffer) => {
      c.write(chunk);
      budget -= chunk.length;
      if (budget <= 0) u.pause();
    });
    u.once('close', () => {
      clearInterval(tick);
      c.destroy();
    });
    c.once('close', () => {
      clearInterval(tick);
      u.destroy();
    });
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => {
    for (const s of held) s.destroy();
    relay.close(() => r());
  }));
  const session = http2.connect(`http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`, { settings: { initialWindowSize: 2 * size } });
  session.on('error', () => {});
  t.after(() => session.destroy());
  session.once('connect', () => session.setLocalWindowSize(2 * size));
  const received = await new Promise<number>((resolve, reject) => {
    const req = session.request({ ':path': '/big' });
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => resolve(n));
    req.on('error', reject);
    req.end();
  });
  assert.equal(received, size);
  assert.equal(l.open(), 1);
});
