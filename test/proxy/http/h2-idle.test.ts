// The HTTP/2 idle timeout counts streams, not frames (h2-idle.ts): a stream that is open but
// quiet for longer than the timeout (a gRPC watch between events) keeps both the client's
// session and the pooled upstream session; a session with no stream ends at the timeout, on
// both sides. Node's own session timer, used before, cut such a stream: it saw no frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { formatAddress } from '../../../src/lib/address.js';
import { sleep } from '../../helpers/http-load.js';
import { startProxyProcess } from '../../helpers/proxy-process.js';
import { h2Backend } from '../../helpers/servers.js';

const IDLE_MS = 800;

test('a quiet open stream outlives the idle timeout; an empty session does not', { timeout: 30_000 }, async (t) => {
  const upstreamClosed: number[] = [];
  const app = await h2Backend((s, h) => {
    s.on('error', () => {});
    s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
    if (h[':path'] === '/quiet') {
      s.write('first');
      // Silent for three idle timeouts, then one more message and the end.
      setTimeout(() => s.end('second'), 3 * IDLE_MS).unref();
    } else s.end('now');
  });
  app.server.on('session', (s: http2.Http2Session) => s.once('close', () => upstreamClosed.push(Date.now())));
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_IDLE_TIMEOUT_MS: String(IDLE_MS) });

  const session = http2.connect(`http://${formatAddress(p.outbound)}`);
  session.on('error', () => {});
  t.after(() => session.destroy());
  const sessionClosed = new Promise<number>((r) => session.once('close', () => r(Date.now())));
  const started = Date.now();
  const { body, trailers } = await new Promise<{ body: string; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
    const req = session.request({ ':path': '/quiet', 'content-type': 'application/grpc', te: 'trailers' });
    let text = '';
    let tr: http2.IncomingHttpHeaders = {};
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('trailers', (h) => (tr = h));
    req.on('end', () => resolve({ body: text, trailers: tr }));
    req.on('error', reject);
    req.end();
  });
  const served = Date.now();
  assert.equal(body, 'firstsecond', 'the quiet stream was cut');
  assert.equal(trailers['grpc-status'], '0');
  assert.ok(served - started >= 3 * IDLE_MS, `answered after ${served - started} ms`);
  assert.deepEqual(upstreamClosed, [], 'the upstream session was closed while its stream was open');

  // With no stream left, both sessions end at the idle timeout (checked every quarter of it).
  const closedAt = await Promise.race([sessionClosed, sleep(6 * IDLE_MS).then(() => 0)]);
  assert.ok(closedAt > 0, 'the client session was still open after six idle timeouts');
  t.diagnostic(`client session closed ${closedAt - served} ms after its last stream (idle ${IDLE_MS} ms)`);
  assert.ok(closedAt - served >= IDLE_MS - 50, `closed ${closedAt - served} ms after the last stream`);
  for (let i = 0; i < 40 && upstreamClosed.length === 0; i++) await sleep(IDLE_MS / 4);
  assert.equal(upstreamClosed.length, 1, 'the pooled upstream session was not closed when idle');
  assert.ok((upstreamClosed[0] as number) - served >= IDLE_MS - 50, 'the upstream session closed before its idle timeout');
});
