// Regression (issue 19, item 5): plaintext requests that detection could not classify (a request
// line over 1 KiB, HTTP/2.0 in an HTTP/1 request line, a pause longer than the detect timeout)
// fell back to opaque TCP and reached the app unparsed: forged weft-client-id, no 431, no 408.
// The HTTP/2 header-list size was only advertised. Against real `weft proxy` processes, on every
// inbound path — plaintext HTTP/1, HTTP/2 prior knowledge, meshed HTTP/1, meshed HTTP/2 carrying
// HTTP/1 (orig-proto), native meshed HTTP/2 and gRPC — identity headers are stripped
// (weft-client-id and Linkerd's l5d-client-id) and the header size, header count, slow-client
// and malformed chunked body limits hold.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { SecureContext } from 'node:tls';
import { formatAddress } from '../../../src/lib/address.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { MeshConnector } from '../../../src/proxy/mesh/connector.js';
import { FRAME, PREFACE, frame, literalHeader, parseFrames } from '../../helpers/h2-frames.js';
import { startMeshCa } from '../../helpers/mesh-ca.js';
import { exchange } from '../../helpers/proxy-probe.js';
import { until } from '../../helpers/http-load.js';
import { startProxyProcess, type ProxyProcess } from '../../helpers/proxy-process.js';
import { url } from '../../helpers/proxy.js';
import { h2Backend, httpBackend, type Backend } from '../../helpers/servers.js';
import { echoed, forgedRequest, h2Request, manyHeaders, meshed, plain } from './attack.js';

const { NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;
const SERVER = workloadId('shop', 'catalog');
const CLIENT = workloadId('shop', 'web');
/** A good head, then a chunk size that is not hex: the body's framing is broken. */
const MALFORMED_CHUNKED = 'POST /chunked HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n';
const FORGED = { 'weft-client-id': 'spiffe://cluster.local/ns/prod/sa/admin', 'l5d-client-id': 'admin.prod.serviceaccount.identity.linkerd.cluster.local' };

type Cleanup = () => void | Promise<void>;
function scope(): { t: { after(fn: Cleanup): void }; close(): Promise<void> } {
  const fns: Cleanup[] = [];
  return { t: { after: (fn) => void fns.push(fn) }, close: async () => { for (const fn of fns.reverse()) await fn(); } };
}

async function metric(p: ProxyProcess, name: string, match = ''): Promise<number> {
  const text = await (await fetch(url(p.admin, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** An h2c app that answers each request with its headers as JSON, counting the streams. */
let h2Streams = 0;
const h2EchoApp = (): Promise<Backend<http2.Http2Server>> =>
  h2Backend((s, h) => {
    h2Streams++;
    s.on('error', () => {});
    s.respond({ ':status': 200 });
    s.end(JSON.stringify(h));
  });

describe('plaintext HTTP/1 that detection cannot classify is served as HTTP, with every limit', () => {
  const s = scope();
  let app: Backend;
  let p: ProxyProcess;
  before(async () => {
    app = await httpBackend();
    s.t.after(() => app.close());
    p = await startProxyProcess(s.t, {
      WEFT_PROXY_IDENTITY_DISABLED: '1',
      WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr),
      WEFT_PROXY_DETECT_TIMEOUT_MS: '500',
      WEFT_PROXY_HTTP_HEADERS_TIMEOUT_MS: '1000',
    });
  });
  after(() => s.close());

  test('a request line over 1 KiB reaches the app as HTTP, its identity headers stripped', async () => {
    const path = '/' + 'a'.repeat(2000);
    const echo = echoed(await plain(p.inbound, [forgedRequest(path)]));
    assert.equal(echo?.url, path);
    assert.equal(echo?.headers['weft-client-id'], undefined);
    assert.equal(echo?.headers['l5d-client-id'], undefined);
  });

  test('a request line over the header limit: 431, nothing reaches the app', async () => {
    const before = app.connections;
    const answer = await plain(p.inbound, [forgedRequest('/' + 'a'.repeat(20_000))]);
    assert.match(answer, /^HTTP\/1\.1 431 /, answer.slice(0, 100));
    assert.equal(app.connections, before);
  });

  test('HTTP/2.0 in an HTTP/1 request line: 505, nothing reaches the app', async () => {
    const before = app.connections;
    const answer = await plain(p.inbound, [forgedRequest('/').replace('HTTP/1.1', 'HTTP/2.0')]);
    assert.match(answer, /^HTTP\/1\.1 505 /, answer);
    assert.equal(app.connections, before);
  });

  test('a pause longer than the detect timeout inside the method: still HTTP, identity headers stripped', async () => {
    const req = forgedRequest('/paused');
    const echo = echoed(await plain(p.inbound, [req.slice(0, 2), { pauseMs: 800 }, req.slice(2)]));
    assert.equal(echo?.url, '/paused');
    assert.equal(echo?.headers['weft-client-id'], undefined);
    assert.equal(echo?.headers['l5d-client-id'], undefined);
  });

  test('a request start that stalls past the detect timeout: 408 within detect + headers timeout, counted, nothing reaches the app', async () => {
    const before = { conns: app.connections, hits: await metric(p, 'proxy_limit_hits_total', 'limit="http1_headers_timeout"') };
    const started = Date.now();
    const answer = await plain(p.inbound, ['GET /slo'], 5000);
    const took = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 /, answer);
    assert.ok(took < 500 + 1000 + 1000, `408 after ${took} ms`);
    assert.equal(app.connections, before.conns);
    assert.equal(await metric(p, 'proxy_limit_hits_total', 'limit="http1_headers_timeout"'), before.hits + 1);
  });

  test('more header fields than allowed: 431', async () => {
    const extra = Array.from({ length: 120 }, (_, i) => `x-h${i}: v\r\n`).join('');
    assert.match(await plain(p.inbound, [forgedRequest('/', extra)]), /^HTTP\/1\.1 431 /);
  });

  test('a malformed chunked body after a good head: 400, counted', async () => {
    const before = await metric(p, 'proxy_limit_hits_total', 'limit="http1_malformed"');
    const answer = await plain(p.inbound, [MALFORMED_CHUNKED]);
    assert.match(answer, /^HTTP\/1\.1 400 /, answer);
    assert.match(answer, /weft-proxy-error: malformed request body/, answer);
    assert.equal(await metric(p, 'proxy_limit_hits_total', 'limit="http1_malformed"'), before + 1);
  });
});

describe('HTTP/2 with prior knowledge (plaintext): identity headers stripped, header list size and count enforced', () => {
  const s = scope();
  let app: Backend<http2.Http2Server>;
  let p: ProxyProcess;
  let session: http2.ClientHttp2Session;
  before(async () => {
    app = await h2EchoApp();
    s.t.after(() => app.close());
    p = await startProxyProcess(s.t, { WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr) });
    session = http2.connect(`http://${formatAddress(p.inbound)}`);
    session.on('error', () => {});
    s.t.after(() => session.destroy());
  });
  after(() => s.close());

  test('forged identity headers do not reach the app', async () => {
    const r = await h2Request(session, { ...FORGED, ':path': '/forged' });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body) as Record<string, string>;
    assert.equal(seen[':path'], '/forged');
    assert.equal(seen['weft-client-id'], undefined);
    assert.equal(seen['l5d-client-id'], undefined);
  });

  test('a header list over WEFT_PROXY_MAX_HEADER_BYTES, or more fields than WEFT_PROXY_MAX_HEADER_COUNT: the stream is refused, the app sees nothing', async () => {
    const before = h2Streams;
    const big = await h2Request(session, { 'x-big': 'a'.repeat(20_000) });
    assert.equal(big.rstCode, NGHTTP2_ENHANCE_YOUR_CALM, JSON.stringify(big));
    const many = await h2Request(session, manyHeaders(120));
    assert.equal(many.rstCode, NGHTTP2_ENHANCE_YOUR_CALM, JSON.stringify(many));
    // Within the limits, on the same session.
    assert.equal(h2Streams, before, 'a refused stream reached the app');
    assert.equal((await h2Request(session, manyHeaders(90))).status, 200);
    assert.equal(h2Streams, before + 1);
  });
});

describe('meshed paths (HTTP/1, HTTP/2 carrying HTTP/1, native HTTP/2): identity from the certificate only, same limits', () => {
  const s = scope();
  let app: Backend;
  let h2app: Backend<http2.Http2Server>;
  let p: ProxyProcess;
  let connector: MeshConnector;
  let trustAnchorPem: string;
  let peerContext: () => SecureContext;
  before(async () => {
    const ca = await startMeshCa(s.t);
    trustAnchorPem = ca.trustAnchorPem;
    app = await httpBackend();
    s.t.after(() => app.close());
    h2app = await h2EchoApp();
    s.t.after(() => h2app.close());
    p = await startProxyProcess(s.t, { ...ca.proxyEnv(SERVER), WEFT_PROXY_DETECT_TIMEOUT_MS: '2000', WEFT_PROXY_HTTP_HEADERS_TIMEOUT_MS: '1000' });
    await until('proxy ready', async () => (await fetch(url(p.admin, '/ready'))).status === 200, 10_000);
    const peer = await ca.identity(CLIENT);
    peerContext = () => peer.secureContext();
    connector = new MeshConnector(peer, 5000);
  });
  after(() => s.close());

  const meshedH1 = (payload: string) =>
    meshed({ to: p.inbound, servername: formatDnsName(SERVER), trustAnchorPem, tls: { secureContext: peerContext() }, header: { port: app.addr.port, protocol: 'http1' }, payload, waitMs: 5000 });

  test('meshed HTTP/1: too many fields or too large a head is 431, a slow head is 408, none reaches the app', async () => {
    const before = app.connections;
    const many = await meshedH1(forgedRequest('/', Array.from({ length: 120 }, (_, i) => `x-h${i}: v\r\n`).join('')));
    assert.match(many.answer, /^HTTP\/1\.1 431 /, many.answer);
    const big = await meshedH1(forgedRequest('/', `x-big: ${'a'.repeat(20_000)}\r\n`));
    assert.match(big.answer, /^HTTP\/1\.1 431 /, big.answer);
    const started = Date.now();
    const slow = await meshedH1('GET / HTTP/1.1\r\nHost: a\r\n');
    assert.match(slow.answer, /^HTTP\/1\.1 408 /, slow.answer);
    assert.ok(Date.now() - started < 3000);
    assert.equal(app.connections, before);
  });

  test('meshed HTTP/2 carrying HTTP/1 (weft-orig-proto): the app sees the certificate’s identity; the header limits hold', async () => {
    const tls = await connector.connect(p.inbound, formatSpiffe(SERVER), { port: app.addr.port, protocol: 'http2' });
    const session = http2.connect(`http://${formatAddress(p.inbound)}`, { createConnection: () => tls });
    session.on('error', () => {});
    try {
      const ok = await h2Request(session, { ...FORGED, ':path': '/orig', 'weft-orig-proto': 'HTTP/1.1' });
      assert.equal(ok.status, 200, JSON.stringify(ok));
      const seen = JSON.parse(ok.body) as { url: string; headers: Record<string, string> };
      assert.equal(seen.url, '/orig');
      assert.equal(seen.headers['weft-client-id'], formatSpiffe(CLIENT));
      assert.equal(seen.headers['l5d-client-id'], undefined);
      const many = await h2Request(session, { ...manyHeaders(120), 'weft-orig-proto': 'HTTP/1.1' });
      assert.equal(many.rstCode, NGHTTP2_ENHANCE_YOUR_CALM);
      const big = await h2Request(session, { 'x-big': 'a'.repeat(20_000), 'weft-orig-proto': 'HTTP/1.1' });
      assert.equal(big.rstCode, NGHTTP2_ENHANCE_YOUR_CALM);
    } finally {
      session.destroy();
    }
  });

  test('meshed HTTP/1: a malformed chunked body after a good head is 400, counted', async () => {
    const before = await metric(p, 'proxy_limit_hits_total', 'direction="inbound",limit="http1_malformed"');
    const o = await meshedH1(MALFORMED_CHUNKED);
    assert.match(o.answer, /^HTTP\/1\.1 400 /, o.answer);
    assert.match(o.answer, /weft-proxy-error: malformed request body/, o.answer);
    assert.equal(await metric(p, 'proxy_limit_hits_total', 'direction="inbound",limit="http1_malformed"'), before + 1);
  });

  // Chunked framing does not exist in HTTP/2 (RFC 9113 §8.2.2: Transfer-Encoding is a
  // connection-specific field, and the body is DATA frames), so the orig-proto path has no
  // malformed chunked body to answer 400 to; the shape an attacker could try — an orig-proto
  // request naming `transfer-encoding: chunked` with a broken chunk in its DATA — is a malformed
  // HTTP/2 request that nghttp2 resets before any handler (or the app) sees it.
  test('meshed HTTP/2 carrying HTTP/1: a transfer-encoding header with a broken chunk in DATA is reset, the app sees nothing', async () => {
    const before = app.connections;
    const tls = await connector.connect(p.inbound, formatSpiffe(SERVER), { port: app.addr.port, protocol: 'http2' });
    const block = Buffer.concat([
      Buffer.from([0x83, 0x86, 0x84]), // :method POST, :scheme http, :path /
      literalHeader(':authority', 'app'),
      literalHeader('weft-orig-proto', 'HTTP/1.1'),
      literalHeader('transfer-encoding', 'chunked'),
    ]);
    const sent = Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0), frame(FRAME.HEADERS, 0x4, 1, block), frame(FRAME.DATA, 0x1, 1, Buffer.from('zz\r\nhello\r\n0\r\n\r\n'))]);
    const { answer } = await exchange(tls, sent, 1500);
    const rst = parseFrames(answer).find((f) => f.type === FRAME.RST_STREAM && f.streamId === 1);
    assert.equal(rst?.payload.readUInt32BE(0), http2.constants.NGHTTP2_PROTOCOL_ERROR, `frames: ${parseFrames(answer).map((f) => f.type).join(',')}`);
    assert.equal(app.connections, before, 'the request reached the app');
  });

  test('native meshed HTTP/2 (h2 and gRPC, no weft-orig-proto): the app sees the certificate’s identity, never the forged one', async () => {
    const tls = await connector.connect(p.inbound, formatSpiffe(SERVER), { port: h2app.addr.port, protocol: 'http2' });
    const session = http2.connect(`http://${formatAddress(p.inbound)}`, { createConnection: () => tls });
    session.on('error', () => {});
    try {
      for (const extra of [{ ':path': '/native' }, { ':path': '/pkg.Svc/Call', ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers' }]) {
        const before = h2Streams;
        const r = await h2Request(session, { ...FORGED, ...extra });
        assert.equal(r.status, 200, JSON.stringify(r));
        assert.equal(h2Streams, before + 1, 'the request did not reach the h2 app');
        const seen = JSON.parse(r.body) as Record<string, string>;
        assert.equal(seen[':path'], extra[':path']);
        assert.equal(seen['weft-client-id'], formatSpiffe(CLIENT));
        assert.equal(seen['l5d-client-id'], undefined);
      }
    } finally {
      session.destroy();
    }
  });
});
