// Tracing without a tracing backend: the header forms (W3C, b3 single and multi, bad values
// ignored), what a traced proxy does to requests with and without a context, and a collector
// that is down costing bounded memory and no latency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { formatAddress } from '../../src/lib/address.js';
import { parseProxyConfig } from '../../src/proxy/config.js';
import { SpanExporter } from '../../src/proxy/trace/exporter.js';
import { extract, inject } from '../../src/proxy/trace/propagation.js';
import { nowNs } from '../../src/proxy/trace/tracer.js';
import { startTestProxy } from '../helpers/proxy.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const from = (h: Record<string, string>) => extract((n) => h[n]);

test('trace context: traceparent, tracestate, b3 single and multi; invalid values start nothing', () => {
  assert.deepEqual(from({ traceparent: `00-${T}-${S}-01`, tracestate: 'a=1' }), { traceId: T, spanId: S, sampled: true, tracestate: 'a=1' });
  assert.equal(from({ traceparent: `00-${T}-${S}-00` })?.sampled, false);
  assert.deepEqual(from({ b3: `${T}-${S}-1` }), { traceId: T, spanId: S, sampled: true, b3: 'single' });
  assert.equal(from({ b3: `a3ce929d0e0e4736-${S}-d` })?.traceId, `0000000000000000a3ce929d0e0e4736`, '64-bit b3 ids are padded');
  assert.deepEqual(from({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' }), { traceId: T, spanId: S, sampled: true, b3: 'multi' });
  for (const bad of [`00-${'0'.repeat(32)}-${S}-01`, `00-${T}-${'0'.repeat(16)}-01`, `ff-${T}-${S}-01`, `00-${T}-${S}-01-extra`, `00-${T.toUpperCase()}-${S}-01`, 'garbage', '']) {
    assert.equal(from({ traceparent: bad }), undefined, bad);
  }
  assert.equal(from({ b3: '1' }), undefined, 'a lone sampling decision carries no context');
  assert.equal(from({ b3: `${T}-xyz-1` }), undefined);

  const out: Record<string, string> = {};
  inject((n, v) => (out[n] = v), { traceId: T, spanId: S, sampled: true, tracestate: 'a=1', b3: 'multi' }, 'aaaaaaaaaaaaaaaa', S);
  assert.deepEqual(out, { traceparent: `00-${T}-aaaaaaaaaaaaaaaa-01`, tracestate: 'a=1', 'x-b3-traceid': T, 'x-b3-spanid': 'aaaaaaaaaaaaaaaa', 'x-b3-sampled': '1', 'x-b3-parentspanid': S });
});

async function echoHeaders(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const s = http.createServer((req, res) => res.end(JSON.stringify(req.headers)));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `127.0.0.1:${port}`;
}

async function through(proxy: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`http://${proxy}/x`, { headers });
  return (await res.json()) as Record<string, string>;
}

test('a traced proxy: a context goes on with the proxy span as parent; none stays none at rate 0, starts a trace at rate 1; a down collector costs nothing', async (t) => {
  const app = await echoHeaders(t);
  const collector = await closedPort();
  const rate0 = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: app, WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: collector });
  t.after(() => rate0.close());
  const rate1 = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: app, WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: collector, WEFT_PROXY_TRACE_SAMPLING_RATE: '1' });
  t.after(() => rate1.close());

  const seen = await through(formatAddress(rate0.inbound), { traceparent: `00-${T}-${S}-01`, b3: `${T}-${S}-1` });
  const [, trace, parent, flags] = (seen['traceparent'] ?? '').split('-');
  assert.equal(trace, T);
  assert.notEqual(parent, S, "the proxy's span is the new parent");
  assert.equal(flags, '01');
  assert.equal(seen['b3'], `${T}-${parent}-1-${S}`, 'b3 answered in its own form');
  assert.equal((await through(formatAddress(rate0.inbound), {}))['traceparent'], undefined, 'rate 0: no trace started');
  assert.match((await through(formatAddress(rate1.inbound), {}))['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'rate 1: a trace started');
  // Not sampled: propagated, never exported.
  assert.match((await through(formatAddress(rate0.inbound), { traceparent: `00-${T}-${S}-00` }))['traceparent'] ?? '', new RegExp(`^00-${T}-[0-9a-f]{16}-00$`));

  // The collector is down: 300 sampled requests all succeed, none waiting on an export.
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) assert.ok((await through(formatAddress(rate1.inbound), {}))['traceparent']);
  t.diagnostic(`300 traced requests with the collector down: ${(performance.now() - t0).toFixed(0)} ms`);
});

test('exporter: a collector that is down keeps the queue bounded and the drops counted', async () => {
  const exporter = new SpanExporter({ collector: await closedPort(), resource: { 'service.name': 't' }, maxQueue: 100, maxBatch: 10, flushMs: 10 });
  const span = { traceId: T, spanId: S, parentSpanId: undefined, name: 'x', kind: 2 as const, startNs: nowNs(), endNs: nowNs(), attributes: {}, status: 0 as const };
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) exporter.push(span);
  const pushMs = performance.now() - t0;
  assert.ok(exporter.queued <= 100, `queued ${exporter.queued}`);
  assert.ok(exporter.dropped >= 10_000 - 100 - 10, `dropped ${exporter.dropped}`);
  await exporter.close();
  assert.ok(exporter.failedExports >= 1);
  assert.equal(exporter.exported, 0);
  assert.ok(pushMs < 1000, `pushing 10000 spans took ${pushMs} ms`);
});

test('trace config: off without a collector; bad values name their variable', () => {
  const base = { WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0' };
  assert.equal(parseProxyConfig(base).trace, undefined);
  assert.deepEqual(parseProxyConfig({ ...base, WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: 'jaeger:4318' }).trace, { collector: 'jaeger:4318', samplingRate: 0, serviceName: 'weft-proxy' });
  assert.equal(parseProxyConfig({ ...base, WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: 'jaeger:4318', WEFT_PROXY_TRACE_SAMPLING_RATE: '0.25' }).trace?.samplingRate, 0.25);
  for (const rate of ['2', '-0.1', 'half', 'NaN']) {
    assert.throws(() => parseProxyConfig({ ...base, WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: 'jaeger:4318', WEFT_PROXY_TRACE_SAMPLING_RATE: rate }), new RegExp(`WEFT_PROXY_TRACE_SAMPLING_RATE=${rate}: expected a number from 0 to 1`));
  }
  assert.throws(() => parseProxyConfig({ ...base, WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: 'nope' }), /WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR=nope: expected host:port/);
});
