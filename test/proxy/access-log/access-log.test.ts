// WEFT_PROXY_ACCESS_LOG: one line per inbound request with Linkerd's fields (json and apache),
// bad values refused at config time, and off by default (the layer is not in the stack).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress } from '../../../src/lib/address.js';
import { ConfigError } from '../../../src/lib/errors.js';
import { accessLogH1 } from '../../../src/proxy/access-log/layer.js';
import { parseProxyConfig } from '../../../src/proxy/config.js';
import type { H1Handler } from '../../../src/proxy/http/h1-forward.js';
import { startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend } from '../../helpers/servers.js';

/** Runs a proxy whose stderr lines are captured (the layer writes through process.stderr). */
async function capture(format: string, fn: (inbound: string) => Promise<void>): Promise<string[]> {
  const app = await httpBackend();
  const proxy = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_ACCESS_LOG: format });
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
    const r = await fetch(u, { method: 'POST', body: 'hello', headers: { 'user-agent': 'tap-test/1', 'x-b3-traceid': 'abc123' } });
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
  assert.match(String(rec.timestamp), /^\d{4}-\d\d-\d\dT/);
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
