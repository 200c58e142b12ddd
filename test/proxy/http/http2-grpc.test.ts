// HTTP/2 (h2c prior knowledge) and gRPC through a real outbound->inbound proxy pair.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { formatAddress } from '../../../src/lib/address.js';
import { curl } from '../../helpers/exec.js';
import { echoClient, startGrpcEcho, unary, type EchoClient, type Msg } from '../../helpers/grpc-echo.js';
import { metricValue, startProxyPair, startTestProxy, url, type ProxyPair } from '../../helpers/proxy.js';
import { deadPort, h2Backend, type Backend } from '../../helpers/servers.js';

describe('HTTP/2 through a proxy pair', () => {
  let app: Backend<http2.Http2Server>;
  let pair: ProxyPair;
  before(async () => {
    app = await h2Backend();
    pair = await startProxyPair(app.addr);
  });
  after(async () => {
    await pair.close();
    await app.close();
  });

  test('curl --http2-prior-knowledge gets the response and its trailers', async () => {
    const r = await curl(['--http2-prior-knowledge', url(pair.entry, '/h2/path')]);
    assert.equal(r.status, 200);
    assert.match(r.body, /h2 GET \/h2\/path/);
    assert.match(r.body, /x-trailer: done/);
    assert.equal(await metricValue(pair.inbound, 'response_total', { direction: 'inbound', status_code: '200' }), 1);
  });

  test('a client that resets mid-response cancels the upstream stream', async (t) => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const slow = await h2Backend((s) => {
      s.respond({ ':status': 200 });
      const timer = setInterval(() => s.write('tick'), 10);
      s.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    const p = await startProxyPair(slow.addr);
    t.after(async () => {
      await p.close();
      await slow.close();
    });
    const client = http2.connect(url(p.entry));
    const req = client.request({ ':path': '/stream' });
    await new Promise<void>((r) => req.once('data', () => r()));
    req.close(http2.constants.NGHTTP2_CANCEL);
    await closed; // would hang (and time out) if the cancel did not travel upstream
    client.close();
  });

  test('an upstream RST_STREAM reaches the client as a reset', async (t) => {
    // The request body stays open, so the server's close(code) must be a real RST_STREAM
    // (with both sides' END_STREAM sent, Node would just end the stream).
    const resetting = await h2Backend((s) => {
      s.on('error', () => {});
      s.respond({ ':status': 200 });
      s.write('partial');
      setTimeout(() => s.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM), 20);
    });
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(resetting.addr) });
    t.after(async () => {
      await p.close();
      await resetting.close();
    });
    const client = http2.connect(url(p.outbound));
    const req = client.request({ ':path': '/', ':method': 'POST' }, { endStream: false });
    req.write('open body');
    req.on('data', () => {});
    req.on('error', () => {});
    const code = await new Promise<number>((r) => req.on('close', () => r(req.rstCode)));
    assert.equal(code, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    client.close();
  });

  test('an unreachable upstream is a 502 with weft-proxy-error', async (t) => {
    const dead = await deadPort();
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(dead) });
    t.after(() => p.close());
    const r = await curl(['--http2-prior-knowledge', url(p.outbound, '/')]);
    assert.equal(r.status, 502);
    assert.match(r.headers['weft-proxy-error'] ?? '', /failed/);
  });
});

describe('gRPC through a proxy pair', () => {
  let grpcApp: { port: number; close: () => Promise<void> };
  let pair: ProxyPair;
  let client: EchoClient;
  before(async () => {
    grpcApp = await startGrpcEcho();
    pair = await startProxyPair({ host: '127.0.0.1', port: grpcApp.port });
    client = echoClient(formatAddress(pair.entry));
  });
  after(async () => {
    client.close();
    await pair.close();
    await grpcApp.close();
  });

  test('unary calls succeed and a gRPC error status survives the trip', async () => {
    const r = await unary(client, { text: 'hi', n: 41 });
    assert.deepEqual(r, { text: 'echo:hi', n: 42 });
    await assert.rejects(unary(client, { text: 'fail', n: 0 }), (e: { code: number; details: string }) => e.code === 9 && e.details === 'asked to fail');
    assert.equal(await metricValue(pair.outbound, 'response_total', { classification: 'failure', status_code: '200' }), 1);
  });

  test('server streaming delivers every message', async () => {
    const got: Msg[] = [];
    await new Promise<void>((resolve, reject) => {
      const s = client.ServerStream({ text: 's', n: 500 });
      s.on('data', (m: Msg) => got.push(m));
      s.on('end', resolve);
      s.on('error', reject);
    });
    assert.equal(got.length, 500);
    assert.equal(got[499]?.n, 499);
  });

  test('bidirectional streaming interleaves both directions', async () => {
    const call = client.Bidi();
    const replies: Msg[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (m: Msg) => {
        replies.push(m);
        if (replies.length < 100) call.write({ text: `m${replies.length}`, n: replies.length });
        else call.end();
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    call.write({ text: 'm0', n: 0 });
    await done;
    assert.equal(replies.length, 100);
    assert.equal(replies[99]?.text, 'echo:m99');
  });

  test('an unreachable gRPC upstream fails with UNAVAILABLE', async (t) => {
    const dead = await deadPort();
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(dead) });
    const c = echoClient(formatAddress(p.outbound));
    t.after(async () => {
      c.close();
      await p.close();
    });
    await assert.rejects(unary(c, { text: 'x', n: 0 }), (e: { code: number }) => e.code === 14);
  });
});

describe('HTTP/2 streams the upstream refused', () => {
  test('a stream refused unprocessed (REFUSED_STREAM) is sent again, body included', async (t) => {
    let refused = 0;
    const bodies: string[] = [];
    const app = await h2Backend((s) => {
      s.on('error', () => {});
      if (refused++ === 0) {
        s.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      let b = '';
      s.on('data', (c) => (b += c));
      s.on('end', () => {
        bodies.push(b);
        s.respond({ ':status': 200 });
        s.end(`got ${b}`);
      });
    });
    const p = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr) });
    t.after(async () => {
      await p.close();
      await app.close();
    });
    const client = http2.connect(url(p.outbound));
    t.after(() => client.close());
    const req = client.request({ ':path': '/post', ':method': 'POST' });
    req.end('payload-1');
    let data = '';
    req.on('data', (c) => (data += c));
    const status = await new Promise<number>((resolve) => req.on('response', (h) => resolve(Number(h[':status']))));
    await new Promise((r) => req.on('end', r));
    assert.equal(status, 200);
    assert.equal(data, 'got payload-1');
    assert.deepEqual(bodies, ['payload-1']);
    assert.equal(refused, 2);
  });
});
