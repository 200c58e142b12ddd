// How tapped responses end, on real proxies observed through the tap server with a real tap
// identity: gRPC calls to a real grpc-js server report their grpc-status (OK, an error in the
// trailers after headers, a trailers-only error); an HTTP/2 response the app resets mid-body
// reports the app's reset code (passed on by the proxy); a client that resets its own stream
// reports CANCEL without a response; an HTTP/1 response cut short reports INTERNAL_ERROR (HTTP/1
// has no reset codes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { TapEvent__Output } from '../../../src/api/gen/io/linkerd/proxy/tap/TapEvent.js';
import type { ObserveRequest } from '../../../src/api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import { observeProxy } from '../../../src/control/tap/proxy-client.js';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import type { TlsIdentity } from '../../../src/proxy/tls/context.js';
import { echoClient, startGrpcEcho, unary } from '../../helpers/grpc-echo.js';
import { startTestProxy } from '../../helpers/proxy.js';
import { h2Backend, httpBackend } from '../../helpers/servers.js';
import { collect, waitTaps, type Collected } from '../../helpers/tap.js';
import { testPki, type TestPki } from '../tls/fixtures.js';

const PROXY = workloadId('shop', 'web');
const TAP = workloadId('weft-viz', 'tap');
const proxyId = formatSpiffe(PROXY);
const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INTERNAL_ERROR } = http2.constants;

type End = NonNullable<NonNullable<TapEvent__Output['http']>['responseEnd']>;

/** The responseEnd events of a finished tap, in the order the requests ended. */
function ends(c: Collected<TapEvent__Output>): End[] {
  return c.events.flatMap((e) => (e.http?.responseEnd ? [e.http.responseEnd] : []));
}

describe('tap: how responses end', () => {
  let pki: TestPki;
  let tapTls: TlsIdentity;
  const closers: (() => Promise<void>)[] = [];

  /** A proxy with tap whose outbound traffic goes to `dst`. */
  async function tappedProxy(dst: Address): Promise<ProxyHandle> {
    const p = await startTestProxy(
      { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(dst), WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0', WEFT_PROXY_TAP_SVC_NAME: formatSpiffe(TAP) },
      { tlsIdentity: Object.assign(await pki.identity(PROXY), { localName: proxyId }) },
    );
    closers.push(() => p.close());
    return p;
  }

  /** Opens a tap of `limit` requests on `p` and waits until the proxy counts it. */
  async function tap(p: ProxyHandle, req: ObserveRequest): Promise<Collected<TapEvent__Output>> {
    const c = collect(observeProxy({ addr: formatAddress(p.tap as Address), identity: proxyId }, tapTls.secureContext(), req).stream);
    await waitTaps(p, 1);
    return c;
  }

  before(async () => {
    pki = await testPki();
    tapTls = await pki.identity(TAP);
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  test('gRPC: the grpc-status of each call — OK, an error in the trailers, a trailers-only error', async () => {
    const echo = await startGrpcEcho((m) => (m.text === 'late' ? { code: grpc.status.PERMISSION_DENIED, details: 'after headers', afterHeaders: true } : undefined));
    closers.push(() => echo.close());
    const proxy = await tappedProxy({ host: '127.0.0.1', port: echo.port });
    const c = await tap(proxy, { limit: 3, match: { http: { path: { prefix: '/weft.test.Echo/Unary' } } } });
    const client = echoClient(formatAddress(proxy.outbound));
    try {
      assert.deepEqual(await unary(client, { text: 'hi', n: 1 }), { text: 'echo:hi', n: 2 });
      await assert.rejects(unary(client, { text: 'late', n: 0 }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);
      await assert.rejects(unary(client, { text: 'fail', n: 0 }), (e: grpc.ServiceError) => e.code === grpc.status.FAILED_PRECONDITION);
    } finally {
      client.close();
    }
    assert.equal(await c.done, undefined, 'the tap ends after its limit');
    const got = ends(c);
    assert.deepEqual(got.map((e) => [e.eos?.end, e.eos?.grpcStatusCode]), [
      ['grpcStatusCode', grpc.status.OK], ['grpcStatusCode', grpc.status.PERMISSION_DENIED], ['grpcStatusCode', grpc.status.FAILED_PRECONDITION],
    ]);
    // Every call had a 200 response head; only the first carried a message.
    assert.deepEqual(c.events.flatMap((e) => (e.http?.responseInit ? [e.http.responseInit.httpStatus] : [])), [200, 200, 200]);
    assert.ok(Number(got[0]?.responseBytes) > 0 && Number(got[2]?.responseBytes) === 0, JSON.stringify(got.map((e) => e.responseBytes)));
  });

  test('HTTP/2: a response the app resets mid-body ends with the app\'s reset code', async () => {
    const app = await h2Backend((s) => {
      s.on('error', () => {});
      // waitForTrailers: Node's close() ends the body first (END_STREAM, then a RST nobody reads)
      // unless the stream still owes its trailers; so the reset is the first end the peer sees.
      s.respond({ ':status': 200 }, { waitForTrailers: true });
      s.write('partial', () => setTimeout(() => s.close(NGHTTP2_ENHANCE_YOUR_CALM), 20));
    });
    closers.push(() => app.close());
    const proxy = await tappedProxy(app.addr);
    const c = await tap(proxy, { limit: 1 });
    const session = http2.connect(`http://${formatAddress(proxy.outbound)}`);
    try {
      const req = session.request({ ':path': '/reset' });
      req.on('error', () => {});
      req.resume();
      const code = await new Promise<number | undefined>((r) => req.on('close', () => r(req.rstCode)));
      assert.equal(code, NGHTTP2_ENHANCE_YOUR_CALM, 'the client saw the app\'s reset');
    } finally {
      session.close();
    }
    assert.equal(await c.done, undefined);
    const [end] = ends(c);
    assert.equal(end?.eos?.end, 'resetErrorCode');
    assert.equal(end?.eos?.resetErrorCode, NGHTTP2_ENHANCE_YOUR_CALM);
    assert.equal(Number(end?.responseBytes), 'partial'.length);
  });

  test('HTTP/2: a client that resets its stream before the response ends with CANCEL and no response', async () => {
    const app = await h2Backend((s) => {
      s.on('error', () => {});
      const t = setTimeout(() => s.respond({ ':status': 200 }, { endStream: true }), 5000);
      s.on('close', () => clearTimeout(t));
    });
    closers.push(() => app.close());
    const proxy = await tappedProxy(app.addr);
    const c = await tap(proxy, { limit: 1 });
    const session = http2.connect(`http://${formatAddress(proxy.outbound)}`);
    try {
      const req = session.request({ ':path': '/slow' });
      req.on('error', () => {});
      // Reset once the proxy has the stream (its tap has sent requestInit).
      await new Promise<void>((r) => {
        const poll = (): void => void (c.events.length > 0 ? r() : setTimeout(poll, 10));
        poll();
      });
      req.close(NGHTTP2_CANCEL);
      assert.equal(await c.done, undefined);
    } finally {
      session.close();
    }
    assert.deepEqual(c.events.map((e) => e.http?.event), ['requestInit', 'responseEnd']);
    const [end] = ends(c);
    assert.equal(end?.eos?.resetErrorCode, NGHTTP2_CANCEL);
    assert.equal(end?.sinceResponseInit?.seconds ?? '0', '0');
  });

  test('HTTP/1: a response cut short by the app ends with INTERNAL_ERROR', async () => {
    const app = await httpBackend((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('ten bytes.', () => setTimeout(() => req.socket.destroy(), 20));
    });
    closers.push(() => app.close());
    const proxy = await tappedProxy(app.addr);
    const c = await tap(proxy, { limit: 1 });
    // A raw client: the proxy relays the head and the ten bytes, then cuts the connection.
    const got = await new Promise<string>((resolve) => {
      let text = '';
      const s = net.connect(proxy.outbound.port, proxy.outbound.host, () => s.write('GET /cut HTTP/1.1\r\nhost: app\r\n\r\n'));
      s.on('data', (b: Buffer) => (text += b.toString('latin1')));
      s.on('error', () => {});
      s.on('close', () => resolve(text));
    });
    const [head, body] = got.split('\r\n\r\n');
    assert.match(head ?? '', /^HTTP\/1\.1 200 /);
    assert.match(head ?? '', /^content-length: 100$/im);
    assert.equal(body, 'ten bytes.', 'the head and the ten bytes, then the cut');
    assert.equal(await c.done, undefined);
    const [end] = ends(c);
    assert.equal(end?.eos?.resetErrorCode, NGHTTP2_INTERNAL_ERROR);
    assert.equal(Number(end?.responseBytes), 10);
  });
});
