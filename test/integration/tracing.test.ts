// Distributed tracing against a real Jaeger: a request from a traced client goes through proxy
// A (outbound) to proxy B (inbound) to an app, which records its own span and calls onward
// through B (outbound) to proxy C (inbound) and a backend. Jaeger must hold one trace with the
// five spans chained client → A out → B in → app → B out → C in, each proxy span with Linkerd's
// attributes, and the backend must see C's span as its parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddress } from '../../src/lib/address.js';
import { encodeExportRequest } from '../../src/proxy/trace/otlp.js';
import { nowNs, spanId } from '../../src/proxy/trace/tracer.js';
import { until } from '../helpers/http-load.js';
import type { JaegerSpan, JaegerTrace } from '../helpers/jaeger.js';
import { getTrace, noJaeger, startJaeger } from '../helpers/jaeger.js';
import { startTestProxy } from '../helpers/proxy.js';

async function listen(t: { after(fn: () => Promise<void>): void }, handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function get(via: string, path: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  const [host, port] = via.split(':');
  return new Promise((resolve, reject) => {
    http.get({ host, port: Number(port), path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const parentOf = (s: JaegerSpan): string | undefined => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
const tag = (s: JaegerSpan, k: string): unknown => s.tags.find((x) => x.key === k)?.value;

test('a request through meshed proxies is one trace in Jaeger, the app span between the proxies\' spans', { skip: noJaeger(), timeout: 60_000 }, async (t) => {
  const jaeger = await startJaeger(t);
  const traceEnv = (name: string): Record<string, string> => ({ WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: jaeger.otlp, WEFT_PROXY_TRACE_SERVICE_NAME: name });

  let backendSaw: string | undefined;
  const backend = await listen(t, (req, res) => {
    backendSaw = req.headers.traceparent as string | undefined;
    res.end('backend ok');
  });
  const proxyC = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: backend, ...traceEnv('proxy-c') });
  t.after(() => proxyC.close());

  // The app: a span of its own under the proxy's, exported as an instrumented app would, and a
  // call onward through its proxy carrying that span as the parent.
  let appSaw: string | undefined;
  let appSpan = '';
  let outboundB = '';
  const app = await listen(t, (req, res) => {
    appSaw = req.headers.traceparent as string;
    const [, traceId, parent] = appSaw.split('-') as [string, string, string, string];
    appSpan = spanId();
    const start = nowNs();
    get(outboundB, '/backend', { host: 'backend.test', traceparent: `00-${traceId}-${appSpan}-01` }).then(async (r) => {
      const body = encodeExportRequest({ 'service.name': 'app' }, [{ traceId, spanId: appSpan, parentSpanId: parent, name: 'app GET /hello', kind: 2, startNs: start, endNs: nowNs(), attributes: {}, status: 0 }]);
      const sent = await fetch(`http://${jaeger.otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body) });
      assert.equal(sent.status, 200, await sent.text());
      res.end(`app ok, ${r.body}`);
    }, (err: unknown) => res.writeHead(500).end(String(err)));
  });
  const proxyB = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: app, WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(proxyC.inbound), ...traceEnv('proxy-b') });
  t.after(() => proxyB.close());
  outboundB = formatAddress(proxyB.outbound);
  const proxyA = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(proxyB.inbound), ...traceEnv('proxy-a') });
  t.after(() => proxyA.close());

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const clientSpan = '00f067aa0ba902b7';
  const r = await get(formatAddress(proxyA.outbound), '/hello', { host: 'app.test', traceparent: `00-${traceId}-${clientSpan}-01`, tracestate: 'vendor=1' });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'app ok, backend ok');
  assert.match(appSaw ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'the app sees the same trace, sampled');
  assert.match(backendSaw ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

  let trace: JaegerTrace | undefined;
  await until('Jaeger has the five spans', async () => ((trace = await getTrace(jaeger, traceId)), (trace?.spans.length ?? 0) >= 5), 20_000);
  const spans = (trace as JaegerTrace).spans;
  const service = (s: JaegerSpan): string => (trace as JaegerTrace).processes[s.processID]?.serviceName ?? '';
  const one = (svc: string, direction?: string): JaegerSpan => {
    const found = spans.filter((s) => service(s) === svc && (direction === undefined || tag(s, 'direction') === direction));
    assert.equal(found.length, 1, `${svc} ${direction ?? ''}: ${JSON.stringify(spans.map((s) => [service(s), s.operationName]))}`);
    return found[0] as JaegerSpan;
  };
  const aOut = one('proxy-a', 'outbound');
  const bIn = one('proxy-b', 'inbound');
  const appS = one('app');
  const bOut = one('proxy-b', 'outbound');
  const cIn = one('proxy-c', 'inbound');
  assert.equal(spans.length, 5);
  assert.equal(parentOf(aOut), clientSpan);
  assert.equal(parentOf(bIn), aOut.spanID);
  assert.equal(parentOf(appS), bIn.spanID, "the app's span is the inbound proxy's child");
  assert.equal(appS.spanID, appSpan);
  assert.equal(parentOf(bOut), appS.spanID, "the app's outbound call is the app span's child");
  assert.equal(parentOf(cIn), bOut.spanID);
  assert.equal(backendSaw?.split('-')[2], cIn.spanID, 'the backend sees the last proxy span as its parent');
  assert.equal(appSaw?.split('-')[2], bIn.spanID);
  for (const s of [aOut, bIn, bOut, cIn]) {
    assert.equal(tag(s, 'http.method'), 'GET');
    assert.equal(Number(tag(s, 'http.status_code')), 200);
    assert.ok(tag(s, 'http.authority'), s.operationName);
  }
  assert.equal(tag(aOut, 'http.path'), '/hello');
  assert.equal(tag(cIn, 'http.path'), '/backend');
  assert.equal(tag(bOut, 'http.authority'), 'backend.test');
});
