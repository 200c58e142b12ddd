// The HTTP/1 idle timeout cuts a connection only while the proxy waits on the client (h1/server.ts
// onIdle): a long poll the upstream answers after several idle timeouts reaches the client,
// and a client that stops sending its request body is cut — including on a connection whose
// idle timer already fired once during such a long poll (the timer comes back with traffic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { formatAddress } from '../../../src/lib/address.js';
import { startProxyProcess } from '../../helpers/proxy-process.js';
import { httpBackend } from '../../helpers/servers.js';

const IDLE_MS = 600;

/** Reads from `s` until `done(text so far)` holds or the socket closes; resolves with the text and whether it closed. */
function readUntil(s: net.Socket, done: (text: string) => boolean, limitMs: number): Promise<{ text: string; closed: boolean; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const finish = (closed: boolean): void => {
      s.off('data', onData);
      s.off('close', onClose);
      clearTimeout(timer);
      resolve({ text, closed, ms: Date.now() - started });
    };
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      if (done(text)) finish(false);
    };
    const onClose = (): void => finish(true);
    const timer = setTimeout(() => finish(false), limitMs);
    s.on('data', onData);
    s.once('close', onClose);
  });
}

test('a long poll outlives the idle timeout; a client that stops sending its body does not', { timeout: 30_000 }, async (t) => {
  const app = await httpBackend((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/poll') setTimeout(() => res.end('event'), 3 * IDLE_MS).unref();
      else res.end('done');
    });
  });
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_IDLE_TIMEOUT_MS: String(IDLE_MS) });

  const s = net.connect(p.outbound.port, p.outbound.host);
  s.on('error', () => {});
  t.after(() => s.destroy());
  await new Promise<void>((r) => s.once('connect', r));

  s.write('GET /poll HTTP/1.1\r\nHost: app\r\n\r\n');
  const poll = await readUntil(s, (x) => x.endsWith('event'), 10 * IDLE_MS);
  assert.equal(poll.closed, false, `the long poll was cut after ${poll.ms} ms`);
  assert.match(poll.text, /^HTTP\/1\.1 200 /);
  assert.ok(poll.ms >= 3 * IDLE_MS - 50, `answered after ${poll.ms} ms`);

  // Same connection, whose idle timer fired during the poll: half a body, then silence.
  s.write('POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: 10\r\n\r\nhalf!');
  const stalled = await readUntil(s, () => false, 10 * IDLE_MS);
  assert.equal(stalled.closed, true, 'a client that stopped sending its body was never cut');
  t.diagnostic(`cut ${stalled.ms} ms after the client went quiet (idle ${IDLE_MS} ms)`);
  assert.ok(stalled.ms >= IDLE_MS - 50, `cut after ${stalled.ms} ms, before the idle timeout`);

  // A fresh connection that does the same is cut likewise, and a plain request still works.
  const fresh = net.connect(p.outbound.port, p.outbound.host);
  fresh.on('error', () => {});
  t.after(() => fresh.destroy());
  fresh.write('GET /plain HTTP/1.1\r\nHost: app\r\n\r\n');
  const plain = await readUntil(fresh, (x) => x.endsWith('done'), 5000);
  assert.match(plain.text, /^HTTP\/1\.1 200 [^]*done$/);
});
