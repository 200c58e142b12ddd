// Distributed tracing against a real Jaeger: a request from a traced client goes through proxy
// A (outbound) to proxy B (inbound) to an app, which records its own span and calls onward
// through B (outbound) to proxy C (inbound) and a backend. The three proxies are meshed: each
// holds a certificate the test's identity service issued, and both proxy-to-proxy hops are mTLS
// with the server's identity checked. Jaeger must hold one trace with the five spans chained
// client → A out → B in → app → B out → C in, each proxy span with Linkerd's attributes and the
// peer identity its mTLS hop proved, and the backend must see C's span as its parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddress } from '../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../src/lib/spiffe.js';
import { encodeExportRequest } from '../../src/proxy/trace/otlp.js';
import { nowNs, spanId } from '../../src/proxy/trace/tracer.js';
import { until } from '../helpers/http-load.js';
import type { JaegerSpan, JaegerTrace } from '../helpers/jaeger.js';
import { getTrace, noJaeger, startJaeger } from '../helpers/jaeger.js';
import { startMeshCa } from '../helpers/mesh-ca.js';
import { startTestProxy } from '../helpers/proxy.js';

const [A, B, C] = [workloadId('trace', 'client'), workloadId('trace', 'app'), workloadId('trace', 'backend')].map(formatSpiffe) as [string, string, string];

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
  const ca = await startMeshCa(t);
  const traceEnv = (name: string): Record<string, string> => ({ WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: jaeger.otlp, WEFT_PROXY_TRACE_SERVICE_NAME: name });

  let backendSaw: string | undefined;
  let backendClient: unknown;
  const backend = await listen(t, (req, res) => {
    backendSaw = req.headers.traceparent as string | undefined;
    backendClient = req.headers['weft-client-id'];
    res.end('backend ok');
  });
  const proxyC = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: backend, ...ca.proxyEnv(workloadId('trace', 'backend')), ...traceEnv('proxy-c') });
  t.after(() => proxyC.close());

  // The app: a span of its own under the proxy's, exported as an instrumented app would, and a
  // call onward through its proxy carrying that span as the parent.
  let appSaw: string | undefined;
  let appClient: unknown;
  let appSpan = '';
  let outboundB = '';
  const app = await listen(t, (req, res) => {
    appSaw = req.headers.traceparent as string;
    appClient = req.headers['weft-client-id'];
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
  const proxyB = await startTestProxy({
    WEFT_PROXY_INBOUND_DEFAULT_DST: app, WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(proxyC.inbound), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: C,
    ...ca.proxyEnv(workloadId('trace', 'app')), ...traceEnv('proxy-b'),
  });
  t.after(() => proxyB.close());
  outboundB = formatAddress(proxyB.outbound);
  const proxyA = await startTestProxy({
    WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(proxyB.inbound), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: B,
    ...ca.proxyEnv(workloadId('trace', 'client')), ...traceEnv('proxy-a'),
  });
  t.after(() => proxyA.close());
  // Each proxy holds its certificate from the identity service before traffic starts.
  await Promise.all([proxyA.ready, proxyB.ready, proxyC.ready]);

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const clientSpan = '00f067aa0ba902b7';
  const r = await get(formatAddress(proxyA.outbound), '/hello', { host: 'app.test', traceparent: `00-${traceId}-${clientSpan}-01`, tracestate: 'vendor=1' });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'app ok, backend ok');
  assert.match(appSaw ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'the app sees the same trace, sampled');
  assert.match(backendSaw ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  // Both hops between proxies were mTLS: each inbound proxy verified its client's certificate.
  assert.equal(appClient, A, 'proxy B verified proxy A\'s identity');
  assert.equal(backendClient, B, 'proxy C verified proxy B\'s identity');

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
  // The peer identities mTLS proved, on each proxy span: the server's on outbound, the client's
  // on inbound; and each proxy's own identity on its process.
  assert.equal(tag(aOut, 'server.id'), B);
  assert.equal(tag(bIn, 'client.id'), A);
  assert.equal(tag(bOut, 'server.id'), C);
  assert.equal(tag(cIn, 'client.id'), B);
  for (const s of [aOut, bOut]) assert.equal(tag(s, 'client.id'), undefined, 'an outbound span names only the server it proved');
  for (const s of [bIn, cIn]) assert.equal(tag(s, 'server.id'), undefined, 'an inbound span names only the client it proved');
  const processIdentity = (s: JaegerSpan): unknown => (trace as JaegerTrace).processes[s.processID]?.tags?.find((x) => x.key === 'proxy.identity')?.value;
  assert.deepEqual([aOut, bIn, bOut, cIn].map(processIdentity), [A, B, B, C]);
  assert.equal(processIdentity(appS), undefined);
});
