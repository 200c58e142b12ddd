import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { classify, classifyStalled, MAX_PEEK_BYTES, MAX_TLS_PEEK_BYTES, peekLimit } from '../../../src/proxy/detect/protocol.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('HTTP/1.x request lines are detected, partial ones need more bytes', () => {
  assert.equal(classify(b('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), 'http1');
  assert.equal(classify(b('POST http://a:80/x?y HTTP/1.0\r\n')), 'http1');
  assert.equal(classify(b('CONNECT a:443 HTTP/1.1\r\n')), 'http1');
  assert.equal(classify(b('GE')), 'need-more');
  assert.equal(classify(b('GET /index')), 'need-more');
  assert.equal(classify(b('GET / HTTP/1.1')), 'need-more');
});

test('what an HTTP server would parse is HTTP/1 for the proxy too: any version, long lines, odd targets (issue 19)', () => {
  // The engine answers 505 for these versions, 431 past the header limit, 400 for a bad target.
  assert.equal(classify(b('GET / HTTP/2.0\r\nweft-client-id: x\r\n\r\n')), 'http1');
  assert.equal(classify(b('GET / HTTP/1.2\r\n')), 'http1');
  assert.equal(classify(b('GET /a b HTTP/1.1\r\n')), 'http1');
  assert.equal(classify(b(`GET /${'a'.repeat(MAX_PEEK_BYTES)}`)), 'http1');
  assert.equal(classify(b(`GET /${'a'.repeat(MAX_PEEK_BYTES)} HTTP/1.1\r\n`)), 'http1');
});

test('a stalled prefix that can only start a request is HTTP/1; anything else stays opaque', () => {
  for (const s of ['G', 'GE', 'GET', 'GET ', 'GET /x', 'POS', 'DELETE / HT', 'PRI * HTTP/2.0\r\n', 'FOO /x']) assert.equal(classifyStalled(b(s)), 'http1', s);
  for (const s of ['', 'hello', 'SSH-2.0-OpenSSH', '\x16\x03\x01']) assert.equal(classifyStalled(b(s)), 'opaque', JSON.stringify(s));
});

test('the HTTP/2 preface is detected only when complete', () => {
  const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
  assert.equal(classify(b(preface)), 'h2');
  assert.equal(classify(b(preface + '\x00\x00\x12\x04')), 'h2');
  assert.equal(classify(b(preface.slice(0, 10))), 'need-more');
});

test('a TLS ClientHello is detected once its first record is complete; other TLS-looking bytes are opaque', () => {
  assert.equal(classify(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00])), 'tls');
  assert.equal(classify(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])), 'need-more', 'a 512-byte record is not complete yet');
  assert.equal(classify(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), Buffer.alloc(511)])), 'tls');
  assert.equal(classify(Buffer.from([0x16, 0x03])), 'need-more');
  assert.equal(classify(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x02])), 'opaque');
  assert.equal(peekLimit(Buffer.from([0x16])), MAX_TLS_PEEK_BYTES);
  assert.equal(peekLimit(b('G')), MAX_PEEK_BYTES);
});

test('protocols that are not HTTP are opaque', () => {
  assert.equal(classify(b('*1\r\n$4\r\nPING\r\n')), 'opaque'); // redis
  assert.equal(classify(b('hello world\n')), 'opaque');
  assert.equal(classify(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])), 'opaque'); // postgres SSLRequest
  assert.equal(classify(b('GET / SPDY/3\r\n')), 'opaque');
  assert.equal(classify(b('A'.repeat(MAX_PEEK_BYTES))), 'opaque');
});

test('fuzz: random and truncated input never throws and always gives a verdict', () => {
  const samples = [b('GET / HTTP/1.1\r\n\r\n'), b('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0x16, 3, 1, 0, 5, 1, 0, 0])];
  for (let i = 0; i < 20_000; i++) {
    let buf: Buffer;
    if (i % 3 === 0) buf = randomBytes(Math.floor(Math.random() * 1100));
    else {
      const s = samples[i % samples.length] as Buffer;
      buf = Buffer.concat([s.subarray(0, Math.floor(Math.random() * (s.length + 1))), randomBytes(i % 7)]);
    }
    const d = classify(buf);
    assert.ok(['http1', 'h2', 'tls', 'opaque', 'need-more'].includes(d));
    if (buf.length >= peekLimit(buf)) assert.notEqual(d, 'need-more');
    if (d === 'need-more') assert.ok(['http1', 'opaque'].includes(classifyStalled(buf)));
  }
});
