// The proxy's tap server with real certificates from a test CA: the tap identity observes
// requests (matches, limit, the three events with addresses, status, latency and bytes); any
// other identity, or none, is refused; bad requests get INVALID_ARGUMENT; events are bounded
// per second; a tap client that stops reading loses events, never slows the traffic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { TapEvent__Output } from '../../../src/api/gen/io/linkerd/proxy/tap/TapEvent.js';
import { observeProxy } from '../../../src/control/tap/proxy-client.js';
import { formatAddress } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import type { TlsIdentity } from '../../../src/proxy/tls/context.js';
import { metricValue, startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend, type Backend } from '../../helpers/servers.js';
import { collect, waitTaps } from '../../helpers/tap.js';
import { testPki, type TestPki } from '../tls/fixtures.js';

const PROXY = workloadId('shop', 'web');
const TAP = workloadId('weft-viz', 'tap');
const OTHER = workloadId('shop', 'catalog');
const proxyId = formatSpiffe(PROXY);
const tapId = formatSpiffe(TAP);

describe('tap server', () => {
  let pki: TestPki;
  let app: Backend;
  let proxy: ProxyHandle;
  let tapTls: TlsIdentity;
  let otherTls: TlsIdentity;
  let tapAddr: string;

  before(async () => {
    pki = await testPki();
    app = await httpBackend();
    tapTls = await pki.identity(TAP);
    otherTls = await pki.identity(OTHER);
    proxy = await startTestProxy(
      {
        WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr),
        WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_TAP_SVC_NAME: tapId,
        WEFT_PROXY_TAP_MAX_EVENTS_PER_SECOND: '1000000',
      },
      { tlsIdentity: Object.assign(await pki.identity(PROXY), { localName: proxyId }) },
    );
    assert.ok(proxy.tap, 'the proxy serves tap');
    tapAddr = formatAddress(proxy.tap);
  });
  after(async () => {
    await proxy.close();
    await app.close();
  });

  test('observes matching requests up to the limit, then ends the stream', async () => {
    const h = observeProxy({ addr: tapAddr, identity: proxyId }, tapTls.secureContext(), {
      limit: 2,
      match: { all: { matches: [{ http: { path: { prefix: '/books' } } }, { http: { method: { registered: 'GET' } } }] } },
    });
    const c = collect(h.stream);
    await waitTaps(proxy, 1);
    for (const path of ['/other', '/books/1', '/books/2', '/books/3']) {
      const r = await fetch(url(proxy.outbound, path));
      assert.equal(r.status, 200);
      await r.text();
    }
    assert.equal(await c.done, undefined, 'the stream ends cleanly after the limit');
    assert.equal(c.events.length, 6, JSON.stringify(c.events));
    const kinds = c.events.map((e) => e.http?.event);
    assert.deepEqual(kinds, ['requestInit', 'responseInit', 'responseEnd', 'requestInit', 'responseInit', 'responseEnd']);
    const [req, rsp, end] = c.events as [TapEvent__Output, TapEvent__Output, TapEvent__Output];
    assert.equal(req.proxyDirection, 'OUTBOUND');
    assert.equal(req.http?.requestInit?.path, '/books/1');
    assert.equal(req.http?.requestInit?.method?.registered, 'GET');
    assert.equal(req.http?.requestInit?.authority, formatAddress(proxy.outbound));
    assert.equal(req.source?.ip?.ipv4, 0x7f000001);
    assert.equal(req.destination?.port, app.addr.port);
    assert.equal(rsp.http?.responseInit?.httpStatus, 200);
    assert.equal(rsp.http?.responseInit?.id?.stream, req.http?.requestInit?.id?.stream);
    const e = end.http?.responseEnd;
    assert.ok(e);
    assert.ok(Number(e.responseBytes) > 0, 'response bytes counted');
    assert.ok(Number(e.sinceRequestInit?.nanos) > 0 || Number(e.sinceRequestInit?.seconds) > 0, 'latency measured');
    assert.equal(e.eos, null, 'HTTP/1 response ended cleanly: no grpc status, no reset');
    await waitTaps(proxy, 0);
  });

  test('another identity is refused with PERMISSION_DENIED naming both', async () => {
    const c = collect(observeProxy({ addr: tapAddr, identity: proxyId }, otherTls.secureContext(), { limit: 1 }).stream);
    const err = await c.done;
    assert.equal(err?.code, grpc.status.PERMISSION_DENIED);
    assert.match(err?.details ?? '', /weft-viz\/sa\/tap/);
    assert.match(err?.details ?? '', /shop\/sa\/catalog/);
    assert.equal(await metricValue(proxy, 'tap_active_streams'), 0);
  });

  test('a certificate from another CA is refused at the handshake', async () => {
    const stranger = await (await testPki()).identity(TAP);
    const c = collect(observeProxy({ addr: tapAddr, identity: proxyId }, stranger.secureContext(), { limit: 1 }).stream);
    const err = await c.done;
    assert.equal(err?.code, grpc.status.UNAVAILABLE);
  });

  test('limit 0 and an empty match are INVALID_ARGUMENT', async () => {
    const noLimit = await collect(observeProxy({ addr: tapAddr, identity: proxyId }, tapTls.secureContext(), { limit: 0 }).stream).done;
    assert.equal(noLimit?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(noLimit?.details ?? '', /limit/);
    const empty = await collect(observeProxy({ addr: tapAddr, identity: proxyId }, tapTls.secureContext(), { limit: 1, match: {} }).stream).done;
    assert.equal(empty?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(empty?.details ?? '', /no condition/);
  });

  test('a tap client that stops reading loses events and never slows the traffic', async (t) => {
    const n = 1500;
    /** Sends n requests, 20 at a time; resolves with the elapsed ms. */
    const load = async (): Promise<number> => {
      const started = performance.now();
      let ok = 0;
      for (let i = 0; i < n; i += 20) {
        const batch = await Promise.all(Array.from({ length: 20 }, () => fetch(url(proxy.outbound, `/x${'y'.repeat(200)}`)).then(async (r) => (await r.text(), r.status))));
        ok += batch.filter((s) => s === 200).length;
      }
      assert.equal(ok, n, 'every request succeeded');
      return performance.now() - started;
    };
    const baseline = await load();
    const h = observeProxy({ addr: tapAddr, identity: proxyId }, tapTls.secureContext(), { limit: 100_000 });
    h.stream.on('data', () => h.stream.pause());
    h.stream.on('error', () => {});
    await waitTaps(proxy, 1);
    const dropsBefore = await metricValue(proxy, 'tap_events_dropped_total', { reason: 'backpressure' });
    const stalled = await load();
    t.diagnostic(`${n} requests: ${baseline.toFixed(0)} ms without a tap, ${stalled.toFixed(0)} ms with a stalled tap`);
    const drops = (await metricValue(proxy, 'tap_events_dropped_total', { reason: 'backpressure' })) - dropsBefore;
    assert.ok(drops > 0, 'events were dropped, not queued');
    t.diagnostic(`${drops} events dropped`);
    // Blocked traffic would hang or crawl; describing requests costs something, not multiples.
    assert.ok(stalled < baseline * 3, `stalled tap slowed traffic: ${stalled.toFixed(0)} ms vs ${baseline.toFixed(0)} ms`);
    h.close();
    await waitTaps(proxy, 0);
  });
});

describe('tap event rate bound', () => {
  test('at most WEFT_PROXY_TAP_MAX_EVENTS_PER_SECOND per stream; the rest are counted', async (t) => {
    const pki = await testPki();
    const app = await httpBackend();
    const proxy = await startTestProxy(
      { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0', WEFT_PROXY_TAP_SVC_NAME: tapId, WEFT_PROXY_TAP_MAX_EVENTS_PER_SECOND: '5' },
      { tlsIdentity: Object.assign(await pki.identity(PROXY), { localName: proxyId }) },
    );
    t.after(async () => {
      await proxy.close();
      await app.close();
    });
    const h = observeProxy({ addr: formatAddress(proxy.tap ?? app.addr), identity: proxyId }, (await pki.identity(TAP)).secureContext(), { limit: 10 });
    const c = collect(h.stream);
    await waitTaps(proxy, 1);
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => fetch(url(proxy.outbound, '/')).then((r) => r.text())));
    assert.equal(await c.done, undefined);
    if (Date.now() - started < 900) assert.equal(c.events.length, 5);
    assert.ok(c.events.length < 30);
    assert.equal(await metricValue(proxy, 'tap_events_dropped_total', { reason: 'rate' }), 30 - c.events.length, 'every event is sent or counted');
  });
});
