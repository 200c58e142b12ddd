import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPAQUE_PORTS, parseProxyConfig } from '../../src/proxy/config.js';

test('defaults match Linkerd: ports 4140/4143/4191, opaque ports, 10 s detect timeout', () => {
  const c = parseProxyConfig({});
  assert.equal(c.outboundListen.port, 4140);
  assert.equal(c.inboundListen.port, 4143);
  assert.equal(c.adminListen.port, 4191);
  assert.equal(c.detectTimeoutMs, 10_000);
  assert.equal(c.retryBufferBytes, 65_536, "Linkerd's 64 KiB");
  assert.equal(c.upstreamUserTimeoutMs, 10_000);
  assert.deepEqual([...c.opaquePorts].sort((a, b) => a - b), [...DEFAULT_OPAQUE_PORTS]);
  assert.ok(Object.isFrozen(c));
});

test('values are parsed from WEFT_PROXY_* variables', () => {
  const c = parseProxyConfig({
    WEFT_PROXY_OUTBOUND_DEFAULT_DST: '10.1.2.3:8080',
    WEFT_PROXY_INBOUND_LISTEN_ADDR: '[::1]:5000',
    WEFT_PROXY_OPAQUE_PORTS: '3306, 8000-8002',
    WEFT_PROXY_DETECT_TIMEOUT_MS: '250',
    WEFT_PROXY_LOG_LEVEL: 'debug',
  });
  assert.deepEqual(c.outboundDefaultDst, { host: '10.1.2.3', port: 8080 });
  assert.deepEqual(c.inboundListen, { host: '::1', port: 5000 });
  assert.deepEqual([...c.opaquePorts], [3306, 8000, 8001, 8002]);
  assert.equal(c.detectTimeoutMs, 250);
  assert.equal(c.logLevel, 'debug');
});

test('bad values are refused with an error naming the variable', () => {
  const cases: Record<string, string> = {
    WEFT_PROXY_OUTBOUND_DEFAULT_DST: 'nohostport',
    WEFT_PROXY_DETECT_TIMEOUT_MS: '-5',
    WEFT_PROXY_OPAQUE_PORTS: '70000',
    WEFT_PROXY_LOG_LEVEL: 'loud',
    WEFT_PROXY_ADMIN_LISTEN_ADDR: '1.2.3.4:99999',
    WEFT_PROXY_RETRY_BUFFER_BYTES: '64k',
    WEFT_PROXY_UPSTREAM_USER_TIMEOUT_MS: '0',
  };
  for (const [k, v] of Object.entries(cases)) {
    assert.throws(() => parseProxyConfig({ [k]: v }), (e: Error & { code?: string }) => e.code === 'WEFT_ERR_CONFIG' && e.message.includes(k), `${k}=${v}`);
  }
});
