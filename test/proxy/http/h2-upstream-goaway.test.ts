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

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants;

type StreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

/**
 * An h2c app whose n-th session (from 1) serves its streams with `perSession(session, n)`, a
 * hop to it, and a client of the hop. `sessions()`: how many the hop opened to the app.
 */
async function hopTo(t: { after(fn: () => unknown): void }, perSession: (s: http2.ServerHttp2Session, n: number) => StreamHandler): Promise<{ client: http2.ClientHttp2Session; sessions: () => number }> {
  let sessions = 0;
  const app = await h2Backend();
  t.after(() => app.close());
  app.server.removeAllListeners('stream');
  app.server.on('session', (s) => {
    s.on('error', () => {});
    const handle = perSession(s, ++sessions);
    s.on('stream', (stream, h) => {
      stream.on('error', () => {});
      handle(stream, h);
    });
  });
  const proxy = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  t.after(() => proxy.close());
  const client = http2.connect(`http://${formatAddress(proxy.outbound)}`);
  client.on('error', () => {});
  t.after(() => client.destroy());
  return { client, sessions: () => sessions };
}

test('a request the upstream left out of its GOAWAY(INTERNAL_ERROR) is sent again on a new session, not answered 502', async (t) => {
  // The first upstream session answers its first stream, then says GOAWAY(INTERNAL_ERROR,
  // last = that stream) on the second without processing it; later sessions answer everything.
  const seen: string[] = [];
  const { client } = await hopTo(t, (s, n) => {
    let streams = 0;
    let firstId = 0;
    return (stream, h) => {
      streams++;
      if (n === 1 && streams === 1) firstId = stream.id ?? 0;
      if (n === 1 && streams === 2) return void s.goaway(NGHTTP2_INTERNAL_ERROR, firstId);
      seen.push(`${n}:${h[':path']}`);
      stream.respond({ ':status': 200 });
      stream.end(`session ${n}`);
    };
  });

  const first = await h2Request(client, { ':path': '/first' });
  assert.equal(first.status, 200);
  const second = await h2Request(client, { ':path': '/second' });
  assert.equal(second.status, 200, JSON.stringify(second));
  assert.equal(second.body, 'session 2');
  assert.deepEqual(seen, ['1:/first', '2:/second']);
});

test('a request the upstream did process before its GOAWAY(INTERNAL_ERROR) is not sent again: 502', async (t) => {
  const { client, sessions } = await hopTo(t, (s, n) => (stream) => {
    // Processed (last = this stream), then the connection fails before the answer.
    if (n === 1) return void s.goaway(NGHTTP2_INTERNAL_ERROR, stream.id ?? 0);
    stream.respond({ ':status': 200 });
    stream.end('again');
  });
  const r = await h2Request(client, { ':path': '/once', ':method': 'POST' });
  assert.equal(r.status, 502, JSON.stringify(r));
  assert.equal(sessions(), 1, 'the processed request was sent again');
});

test('nginx\'s end of connection — GOAWAY(NO_ERROR) naming a stream, then the connection closed with it unanswered — sends a GET again, never a POST', async (t) => {
  // What nginx does after keepalive_requests (1,000 streams by default): with hundreds of
  // streams in flight through one hop, 22 of 30,000 GETs came back 502 before this.
  const cut = new Set<string>();
  const { client, sessions } = await hopTo(t, (s, n) => (stream, h) => {
    const path = String(h[':path']);
    if (!cut.has(path)) {
      cut.add(path);
      // Counted as received, never answered: the connection ends under it.
      s.goaway(NGHTTP2_NO_ERROR, stream.id ?? 0);
      setTimeout(() => s.destroy(), 20);
      return;
    }
    stream.respond({ ':status': 200 });
    stream.end(`${String(h[':method'])} on session ${n}`);
  });
  const get = await h2Request(client, { ':path': '/items' });
  assert.equal(get.status, 200, JSON.stringify(get));
  assert.equal(get.body, 'GET on session 2');
  const post = await h2Request(client, { ':path': '/vote', ':method': 'POST' });
  assert.equal(post.status, 502, 'a POST the upstream may have processed is not sent again');
  assert.equal(sessions(), 2);
});
