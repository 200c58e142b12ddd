// WEFT_PROXY_ACCESS_LOG: one line per inbound request with Linkerd's fields (json and apache),
// total_ns up to the response head and processing_ns without the upstream's time (HTTP/1 and
// HTTP/2, and HTTP/1 carried over the meshed HTTP/2 hop from a client proxy with a certificate,
// an app that is slow to answer), bad values refused at config time, and off by default (the
// layer is not in the stack).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { formatAddress } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { ConfigError } from '../../../src/lib/errors.js';
import { accessLogH1 } from '../../../src/proxy/access-log/layer.js';
import { parseProxyConfig } from '../../../src/proxy/config.js';
import type { H1Handler } from '../../../src/proxy/http/h1-forward.js';
import type { ProxyOptions } from '../../../src/proxy/proxy.js';
import { startTestProxy, url } from '../../helpers/proxy.js';
import { h2Backend, httpBackend, type Backend } from '../../helpers/servers.js';
import { testPki } from '../tls/fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How long the slow apps below take before their response head, and again before its end. */
const APP_MS = 300;

/** Runs a proxy whose stderr lines are captured (the layer writes through process.stderr). */
async function capture(format: string, fn: (inbound: string) => Promise<void>, app?: Backend, opts: ProxyOptions = {}): Promise<string[]> {
  app ??= await httpBackend();
  const proxy = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_ACCESS_LOG: format }, opts);
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk).trimEnd()), true)) as typeof process.stderr.write;
  try {
    await fn(url(proxy.inbound, '/books/1?x=y'));
  } finally {
    process.stderr.write = write;
    await proxy.close();
    await app.close();
  }
  return lines;
}

test('json: one line per request with the access-log fields', async () => {
  const lines = await capture('json', async (u) => {
    const r = await fetch(u, { method: 'POST', body: 'hello', headers: { 'user-agent': 'tap-test/1', 'x-b3-traceid': 'abc123', 'x-request-id': 'not-this' } });
    assert.equal(r.status, 200);
    await r.text();
    await new Promise((r2) => setTimeout(r2, 50));
  });
  assert.equal(lines.length, 1, lines.join('\n'));
  const rec = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(rec.method, 'POST');
  assert.equal(rec.uri, '/books/1?x=y');
  assert.equal(rec.version, 'HTTP/1.1');
  assert.equal(rec.status, 200);
  assert.equal(rec.request_bytes, '5');
  assert.ok(Number(rec.response_bytes) > 0);
  assert.equal(rec.user_agent, 'tap-test/1');
  assert.equal(rec.trace_id, 'abc123');
  assert.equal(rec['client.id'], '-');
  assert.match(String(rec['client.addr']), /^127\.0\.0\.1:\d+$/);
  assert.ok(Number(rec.total_ns) > 0);
  assert.ok(Number(rec.processing_ns) > 0 && Number(rec.processing_ns) <= Number(rec.total_ns), `${rec.processing_ns} of ${rec.total_ns}`);
  assert.match(String(rec.timestamp), /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(Object.keys(rec).sort(), [
    'client.addr', 'client.id', 'host', 'method', 'processing_ns', 'request_bytes', 'response_bytes', 'status', 'timestamp', 'total_ns', 'trace_id', 'uri', 'user_agent', 'version',
  ], 'Linkerd\'s access-log fields, no more, no fewer');
});

test('json: the trace id from traceparent (its trace-id part), else x-request-id, else x-amzn-trace-id', async () => {
  const lines = await capture('json', async (u) => {
    for (const headers of <Record<string, string>[]>[{ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-request-id': 'req-1' }, { 'x-request-id': 'req-1' }, { 'x-amzn-trace-id': 'Root=1-5759e988' }, {}]) {
      await (await fetch(u, { headers })).text();
    }
    await sleep(50);
  });
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { trace_id: string }).trace_id), ['4bf92f3577b34da6a3ce929d0e0e4736', 'req-1', 'Root=1-5759e988', '-']);
});

/** Asserts Linkerd's timing on a request whose app waited APP_MS for its head and APP_MS more for its end. */
function assertTiming(line: string | undefined): void {
  const rec = JSON.parse(line ?? '{}') as Record<string, string>;
  const [total, processing] = [Number(rec.total_ns) / 1e6, Number(rec.processing_ns) / 1e6];
  // To the head (one wait), not the end (two); the body's wait is nobody's processing.
  assert.ok(total >= APP_MS - 5 && total < 2 * APP_MS, `total ${total} ms: the time to the response head`);
  // The app's wait is the upstream's, not the proxy's: what is left is the proxy's own handling
  // (about a millisecond; the bound leaves room for a loaded machine and still fails if the
  // upstream's time were counted).
  assert.ok(processing > 0 && processing < APP_MS / 2, `processing ${processing} ms of ${total}`);
}

/** An HTTP/1 app that waits APP_MS before its response head, and APP_MS again before the body's end. */
function twoPartApp(): ReturnType<typeof httpBackend> {
  return httpBackend((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one, ');
      setTimeout(() => res.end('part two'), APP_MS);
    }, APP_MS);
  });
}

test('HTTP/1: total_ns runs to the response head, processing_ns leaves out the time the app took', async () => {
  const slow = await twoPartApp();
  const lines = await capture('json', async (u) => {
    assert.equal(await (await fetch(u)).text(), 'part one, part two');
    await sleep(50);
  }, slow);
  assert.equal(lines.length, 1, lines.join('\n'));
  assertTiming(lines[0]);
});

test('HTTP/2: the same timing for a stream forwarded to an h2 app', async () => {
  const slow = await h2Backend((s) => {
    s.on('error', () => {});
    setTimeout(() => {
      s.respond({ ':status': 200 });
      s.write('part one, ');
      setTimeout(() => s.end('part two'), APP_MS);
    }, APP_MS);
  });
  const lines = await capture('json', async (u) => {
    const session = http2.connect(new URL(u).origin);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': '/h2' });
        let b = '';
        req.on('data', (c: Buffer) => (b += c));
        req.on('end', () => resolve(b));
        req.on('error', reject);
        req.end();
      });
      assert.equal(body, 'part one, part two');
    } finally {
      session.close();
    }
    await sleep(50);
  }, slow);
  assert.equal(lines.length, 1, lines.join('\n'));
  const rec = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(rec.version, 'HTTP/2.0');
  assert.equal(rec.uri, '/h2');
  assertTiming(lines[0]);
});

// Between meshed proxies HTTP/1 goes over pooled mTLS HTTP/1 connections by default, or as
// streams of one HTTP/2 connection with WEFT_PROXY_MESH_HTTP1_OVER_H2=true: both are logged alike.
for (const [overH2, version] of [['false', 'HTTP/1.1'], ['true', 'HTTP/2.0']] as const) test(`meshed: HTTP/1 over the mTLS hop (WEFT_PROXY_MESH_HTTP1_OVER_H2=${overH2}) is logged with the client proxy's identity and the same timing`, async () => {
  const pki = await testPki();
  const [client, server] = [workloadId('shop', 'web'), workloadId('shop', 'catalog')];
  const slow = await twoPartApp();
  const lines = await capture('json', async (u) => {
    const outbound = await startTestProxy(
      { WEFT_PROXY_OUTBOUND_DEFAULT_DST: new URL(u).host, WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: formatSpiffe(server), WEFT_PROXY_MESH_HTTP1_OVER_H2: overH2 },
      { tlsIdentity: Object.assign(await pki.identity(client), { localName: formatSpiffe(client) }) },
    );
    try {
      assert.equal(await (await fetch(url(outbound.outbound, '/meshed'))).text(), 'part one, part two');
    } finally {
      await outbound.close();
    }
    await sleep(50);
  }, slow, { tlsIdentity: Object.assign(await pki.identity(server), { localName: formatSpiffe(server) }) });
  assert.equal(lines.length, 1, lines.join('\n'));
  const rec = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(rec['client.id'], formatSpiffe(client));
  assert.equal(rec.version, version, 'the meshed hop\'s protocol');
  assert.equal(rec.uri, '/meshed');
  assertTiming(lines[0]);
});

test('apache: common log format', async () => {
  const lines = await capture('apache', async (u) => {
    await (await fetch(u, { headers: { 'user-agent': 'ua' } })).text();
    await new Promise((r2) => setTimeout(r2, 50));
  });
  assert.equal(lines.length, 1);
  assert.match(lines[0] as string, /^127\.0\.0\.1:\d+ - - \[\d{4}-[^\]]+\] "GET \/books\/1\?x=y HTTP\/1\.1" 200 \d+ "ua" \d+ns$/);
});

test('off by default: the layer is the next handler itself; a bad value is a ConfigError', () => {
  const next: H1Handler = () => {};
  assert.equal(accessLogH1(undefined)(next), next);
  assert.equal(parseProxyConfig({}).accessLog, undefined);
  assert.throws(() => parseProxyConfig({ WEFT_PROXY_ACCESS_LOG: 'xml' }), (e: unknown) => e instanceof ConfigError && /apache or json/.test(e.message));
});
