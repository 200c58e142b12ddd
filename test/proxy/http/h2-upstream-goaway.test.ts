// An upstream that closes its connection with GOAWAY(error) names the last stream it processed;
// the streams above it were never seen (RFC 9113 §6.8) and are sent again on a new connection.
// Found by the rapid-reset test over the inbound mTLS port (issue 17): the proxy relays an
// attacker's resets to the app over the upstream connection it shares with every other client,
// the app's nghttp2 closes that connection with GOAWAY(INTERNAL_ERROR), and an innocent client's
// request on it, not yet processed by the app, came back as a 502.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { formatAddress } from '../../../src/lib/address.js';
import { startTestProxy } from '../../helpers/proxy.js';
import { h2Backend } from '../../helpers/servers.js';
import { h2Request } from '../security/attack.js';

const { NGHTTP2_INTERNAL_ERROR } = http2.constants;

test('a request the upstream left out of its GOAWAY(INTERNAL_ERROR) is sent again on a new session, not answered 502', async (t) => {
  // The first upstream session answers its first stream, then says GOAWAY(INTERNAL_ERROR,
  // last = that stream) on the second without processing it; later sessions answer everything.
  let sessions = 0;
  const seen: string[] = [];
  const app = await h2Backend();
  t.after(() => app.close());
  app.server.removeAllListeners('stream');
  app.server.on('session', (s) => {
    const n = ++sessions;
    let streams = 0;
    let firstId = 0;
    s.on('error', () => {});
    s.on('stream', (stream, h) => {
      stream.on('error', () => {});
      streams++;
      if (n === 1 && streams === 1) firstId = stream.id ?? 0;
      if (n === 1 && streams === 2) return s.goaway(NGHTTP2_INTERNAL_ERROR, firstId);
      seen.push(`${n}:${h[':path']}`);
      stream.respond({ ':status': 200 });
      stream.end(`session ${n}`);
    });
  });
  const proxy = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  t.after(() => proxy.close());
  const client = http2.connect(`http://${formatAddress(proxy.outbound)}`);
  client.on('error', () => {});
  t.after(() => client.destroy());

  const first = await h2Request(client, { ':path': '/first' });
  assert.equal(first.status, 200);
  const second = await h2Request(client, { ':path': '/second' });
  assert.equal(second.status, 200, JSON.stringify(second));
  assert.equal(second.body, 'session 2');
  assert.deepEqual(seen, ['1:/first', '2:/second']);
});

test('a request the upstream did process before its GOAWAY(INTERNAL_ERROR) is not sent again: 502', async (t) => {
  let sessions = 0;
  const app = await h2Backend();
  t.after(() => app.close());
  app.server.removeAllListeners('stream');
  app.server.on('session', (s) => {
    const n = ++sessions;
    s.on('error', () => {});
    s.on('stream', (stream) => {
      stream.on('error', () => {});
      // Processed (last = this stream), then the connection fails before the answer.
      if (n === 1) return s.goaway(NGHTTP2_INTERNAL_ERROR, stream.id ?? 0);
      stream.respond({ ':status': 200 });
      stream.end('again');
    });
  });
  const proxy = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  t.after(() => proxy.close());
  const client = http2.connect(`http://${formatAddress(proxy.outbound)}`);
  client.on('error', () => {});
  t.after(() => client.destroy());
  const r = await h2Request(client, { ':path': '/once', ':method': 'POST' });
  assert.equal(r.status, 502, JSON.stringify(r));
  assert.equal(sessions, 1, 'the processed request was sent again');
});

test('nginx\'s end of connection — GOAWAY(NO_ERROR) naming a stream, then the connection closed with it unanswered — sends a GET again, never a POST', async (t) => {
  // What nginx does after keepalive_requests (1,000 streams by default): with hundreds of
  // streams in flight through one hop, 22 of 30,000 GETs came back 502 before this.
  let sessions = 0;
  const cut = new Set<string>();
  const app = await h2Backend();
  t.after(() => app.close());
  app.server.removeAllListeners('stream');
  app.server.on('session', (s) => {
    const n = ++sessions;
    s.on('error', () => {});
    s.on('stream', (stream, h) => {
      stream.on('error', () => {});
      const path = String(h[':path']);
      if (!cut.has(path)) {
        cut.add(path);
        // Counted as received, never answered: the connection ends under it.
        s.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id ?? 0);
        setTimeout(() => s.destroy(), 20);
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end(`${String(h[':method'])} on session ${n}`);
    });
  });
  const proxy = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  t.after(() => proxy.close());
  const client = http2.connect(`http://${formatAddress(proxy.outbound)}`);
  client.on('error', () => {});
  t.after(() => client.destroy());
  const get = await h2Request(client, { ':path': '/items' });
  assert.equal(get.status, 200, JSON.stringify(get));
  assert.equal(get.body, 'GET on session 2');
  const post = await h2Request(client, { ':path': '/vote', ':method': 'POST' });
  assert.equal(post.status, 502, 'a POST the upstream may have processed is not sent again');
  assert.equal(sessions, 2);
});
