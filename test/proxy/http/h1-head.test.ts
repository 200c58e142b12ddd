// The HTTP/1 head parser: what it reads, and every ambiguous shape it refuses (the request
// smuggling catalogue of RFC 9112 §6.3/§11.2 and the shapes issue 13 tried against the proxy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1ParseError, type H1ParseCode } from '../../../src/proxy/http/h1/errors.js';
import { findHeadEnd, keepAlive, parseRequestHead, parseResponseHead, responseFraming } from '../../../src/proxy/http/h1/head.js';

const LIMITS = { maxHeadBytes: 16 * 1024, maxHeaders: 100 };

function req(text: string) {
  const buf = Buffer.from(text, 'latin1');
  const end = findHeadEnd(buf, 0, LIMITS.maxHeadBytes);
  assert.ok(end > 0, 'head not complete');
  return parseRequestHead(buf, 0, end, LIMITS);
}

function refused(text: string, reason: H1ParseCode): void {
  assert.throws(() => req(text), (e: unknown) => e instanceof H1ParseError && e.reason === reason, `expected ${reason} for ${JSON.stringify(text)}`);
}

test('a request head: method, target, version, headers in order, framing and connection options', () => {
  const h = req('POST /upload?x=1 HTTP/1.1\r\nHost: web.demo:8080\r\nX-A: one \r\nx-a:two\r\nContent-Length: 5\r\nConnection: keep-alive, X-Hop\r\n\r\nhello');
  assert.equal(h.method, 'POST');
  assert.equal(h.target, '/upload?x=1');
  assert.equal(h.minor, 1);
  assert.equal(h.host, 'web.demo:8080');
  assert.deepEqual(h.headers, ['host', 'web.demo:8080', 'x-a', 'one', 'x-a', 'two', 'content-length', '5', 'connection', 'keep-alive, X-Hop']);
  assert.deepEqual(h.framing, { kind: 'length', length: 5 });
  assert.deepEqual(h.connection, ['keep-alive', 'x-hop']);
  assert.equal(h.size, Buffer.byteLength('POST /upload?x=1 HTTP/1.1\r\nHost: web.demo:8080\r\nX-A: one \r\nx-a:two\r\nContent-Length: 5\r\nConnection: keep-alive, X-Hop\r\n\r\n'));
  assert.equal(keepAlive(h), true);
});

test('framing: chunked, zero length, none; HTTP/1.0 closes unless keep-alive; Expect and Upgrade', () => {
  assert.deepEqual(req('POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n').framing, { kind: 'chunked' });
  assert.deepEqual(req('POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n').framing, { kind: 'none' });
  assert.deepEqual(req('GET / HTTP/1.1\r\n\r\n').framing, { kind: 'none' });
  assert.equal(keepAlive(req('GET / HTTP/1.0\r\n\r\n')), false);
  assert.equal(keepAlive(req('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')), true);
  assert.equal(keepAlive(req('GET / HTTP/1.1\r\nConnection: close\r\n\r\n')), false);
  assert.equal(req('PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n').expectContinue, true);
  assert.equal(req('GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n').upgrade, 'websocket');
  assert.equal(req('GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n').upgrade, undefined, 'Upgrade without Connection: upgrade');
});

test('smuggling shapes are refused, never guessed', () => {
  refused('POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nContent-Length: 12345678901234567890\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nTransfer-Encoding: \x0bchunked\r\n\r\n', 'BAD_CHARACTER');
  refused('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 'BAD_FRAMING');
  refused('POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n', 'BAD_HEADER');
  refused('POST / HTTP/1.1\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n', 'OBS_FOLD');
  refused('POST / HTTP/1.1\r\nX-A: 1\r\n\tfolded\r\n\r\n', 'OBS_FOLD');
  refused('GET / HTTP/1.1\nHost: a\r\n\r\n', 'BAD_CHARACTER');
  refused('GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n', 'BAD_CHARACTER');
  refused('GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', 'BAD_CHARACTER');
  refused('GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n', 'BAD_CHARACTER');
  refused('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'BAD_HEADER');
  refused('GET / HTTP/1.1\r\n: empty\r\n\r\n', 'BAD_HEADER');
  refused('GET / HTTP/1.1\r\nno colon\r\n\r\n', 'BAD_HEADER');
  refused('GET / HTTP/1.1\r\nBad[Name]: x\r\n\r\n', 'BAD_HEADER');
  refused('GET  / HTTP/1.1\r\n\r\n', 'BAD_REQUEST_LINE');
  refused('GET / HTTP/1.1 extra\r\n\r\n', 'BAD_REQUEST_LINE');
  refused('G(T / HTTP/1.1\r\n\r\n', 'BAD_REQUEST_LINE');
  refused('GET / HTTP/2.0\r\n\r\n', 'BAD_VERSION');
  refused('GET / HTTP/1.2\r\n\r\n', 'BAD_VERSION');
});

test('limits: a head over the byte limit and more fields than allowed answer 431', () => {
  const big = Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}`, 'latin1');
  assert.throws(() => findHeadEnd(big, 0, LIMITS.maxHeadBytes), (e: unknown) => e instanceof H1ParseError && e.reason === 'HEAD_TOO_LARGE' && e.status === 431);
  const many = 'GET / HTTP/1.1\r\n' + Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join('') + '\r\n';
  assert.throws(() => req(many), (e: unknown) => e instanceof H1ParseError && e.reason === 'TOO_MANY_HEADERS' && e.status === 431);
  const ok = 'GET / HTTP/1.1\r\n' + Array.from({ length: 100 }, (_, i) => `X-${i}: v\r\n`).join('') + '\r\n';
  assert.equal(req(ok).headers.length, 200);
  assert.equal(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n'), 0, LIMITS.maxHeadBytes), -1, 'incomplete head');
});

test('response heads and how their bodies are delimited', () => {
  const res = (text: string) => {
    const b = Buffer.from(text, 'latin1');
    return parseResponseHead(b, 0, findHeadEnd(b, 0, 65536), LIMITS);
  };
  const ok = res('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n');
  assert.deepEqual([ok.status, ok.reason, ok.framing], [200, 'OK', { kind: 'length', length: 3 }]);
  assert.deepEqual(responseFraming(ok, 'HEAD'), { kind: 'none' });
  assert.deepEqual(responseFraming(res('HTTP/1.1 204 No Content\r\n\r\n'), 'GET'), { kind: 'none' });
  assert.deepEqual(responseFraming(res('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'), 'GET'), { kind: 'none' });
  assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\r\n\r\n'), 'GET'), { kind: 'close' });
  assert.deepEqual(responseFraming(res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 'GET'), { kind: 'none' });
  // Codings before chunked are kept, as written, for a head rebuilt from the fields.
  assert.deepEqual(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n').framing, { kind: 'chunked', codings: 'gzip' });
  assert.deepEqual(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: br , Chunked\r\n\r\n').framing, { kind: 'chunked', codings: 'gzip, br' });
  assert.deepEqual(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n').framing, { kind: 'close', codings: 'gzip' });
  assert.deepEqual(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n').framing, { kind: 'chunked' });
  assert.deepEqual(res('HTTP/1.1 200\r\n\r\n').reason, '');
  assert.throws(() => res('HTTP/1.1 20 OK\r\n\r\n'), H1ParseError);
  assert.throws(() => res('HTTP/1.1 2000 OK\r\n\r\n'), H1ParseError);
  assert.throws(() => res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'), H1ParseError);
});

test('names in any case come out lower-cased, known or not; a near miss of a known name stays itself', () => {
  const h = req('GET / HTTP/1.1\r\nHOST: a\r\nContent-TYPE: x\r\nX-Custom-Thing: y\r\ncontent-lengtx: 1\r\nTe: trailers\r\nx-request-iD: 7\r\n\r\n');
  assert.deepEqual(h.headers, ['host', 'a', 'content-type', 'x', 'x-custom-thing', 'y', 'content-lengtx', '1', 'te', 'trailers', 'x-request-id', '7']);
  assert.equal(h.host, 'a');
  assert.equal(h.framing.kind, 'none', 'content-lengtx is not Content-Length');
});

test('only SP and HTAB are trimmed around a value (RFC 9110 §5.5): a no-break space (0xA0) is part of it', () => {
  const h = req('GET / HTTP/1.1\r\nHost: a\r\nX-A: \t v \xa0\r\nX-B:\xa0w\r\n\r\n');
  assert.deepEqual(h.headers, ['host', 'a', 'x-a', 'v \xa0', 'x-b', '\xa0w']);
  // So a Content-Length with one is not plain digits, and an Expect with one is not 100-continue.
  refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \xa05\r\n\r\n', 'BAD_FRAMING');
  assert.equal(req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nExpect: \xa0100-continue\r\n\r\n').expectContinue, false);
});

test("a response head notes where its Connection and Keep-Alive lines are, first, middle or last", () => {
  const without = (text: string): string => {
    const b = Buffer.from(text, 'latin1');
    const h = parseResponseHead(b, 0, findHeadEnd(b, 0, 65536), LIMITS);
    assert.equal(h.raw.toString('latin1'), text);
    let out = '';
    let from = 0;
    for (let i = 0; i < h.connectionLines.length; i += 2) {
      out += text.slice(from, h.connectionLines[i]);
      from = h.connectionLines[i + 1] as number;
    }
    return out + text.slice(from);
  };
  assert.equal(without('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nA: 1\r\nKeep-Alive: timeout=5\r\nB: 2\r\nconnection: close\r\n\r\n'), 'HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n');
  assert.equal(without('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n'), 'HTTP/1.1 204 No Content\r\n\r\n');
  assert.equal(without('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
});
