// The body scanner: where a body ends, what it decodes to, at every split of the input, and the
// malformed chunked framing it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyReader, encodeChunk, lastChunk } from '../../../src/proxy/http/h1/body.js';
import { H1ParseError } from '../../../src/proxy/http/h1/errors.js';
import type { Framing } from '../../../src/proxy/http/h1/head.js';

/** Feeds `input` in pieces cut at `cuts`; returns raw, payload, bytes used and trailers. */
function scan(framing: Framing, input: Buffer, cuts: number[] = []) {
  const r = new BodyReader(framing);
  const raw: Buffer[] = [];
  const data: Buffer[] = [];
  let used = 0;
  const points = [0, ...cuts.filter((c) => c > 0 && c < input.length), input.length];
  for (let i = 0; i + 1 < points.length && !r.done; i++) {
    const piece = input.subarray(points[i], points[i + 1]);
    used += r.feed(piece, 0, { raw: (c) => raw.push(Buffer.from(c)), data: (c) => data.push(Buffer.from(c)) });
  }
  return { done: r.done, used, raw: Buffer.concat(raw).toString('latin1'), data: Buffer.concat(data).toString('latin1'), trailers: r.trailers };
}

const CHUNKED = Buffer.from('5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Sum: 42\r\nx-more: a b\r\n\r\nGET /next HTTP/1.1', 'latin1');
const BODY_END = CHUNKED.indexOf('GET /next');

test('chunked: the end, the raw bytes, the payload and the trailers, whatever the split', () => {
  for (let a = 0; a <= CHUNKED.length; a++) {
    for (const b of [a + 1, a + 3, a + 7]) {
      const r = scan({ kind: 'chunked' }, CHUNKED, [a, b]);
      assert.equal(r.done, true, `split ${a},${b}`);
      assert.equal(r.used, BODY_END, `split ${a},${b}`);
      assert.equal(r.raw, CHUNKED.subarray(0, BODY_END).toString('latin1'));
      assert.equal(r.data, 'hello world');
      assert.deepEqual(r.trailers, ['x-sum', '42', 'x-more', 'a b']);
    }
  }
});

test('content-length: stops at the length; close-delimited: everything until eof', () => {
  const r = scan({ kind: 'length', length: 4 }, Buffer.from('abcdEXTRA'), [2]);
  assert.deepEqual([r.done, r.used, r.data], [true, 4, 'abcd']);
  const c = new BodyReader({ kind: 'close' });
  let got = '';
  c.feed(Buffer.from('until '), 0, { data: (b) => (got += b) });
  c.feed(Buffer.from('the end'), 0, { data: (b) => (got += b) });
  assert.equal(c.done, false);
  assert.equal(c.eof(), true);
  assert.equal(got, 'until the end');
  assert.equal(new BodyReader({ kind: 'length', length: 3 }).eof(), false, 'a length body cut short is truncated');
});

test('malformed chunked framing is refused', () => {
  const bad = (s: string): void =>
    assert.throws(() => scan({ kind: 'chunked' }, Buffer.from(s, 'latin1')), (e: unknown) => e instanceof H1ParseError && e.reason === 'BAD_CHUNK', JSON.stringify(s));
  bad('zz\r\nhello\r\n0\r\n\r\n'); // not hex
  bad('5\nhello\r\n0\r\n\r\n'); // bare LF
  bad('5\r\nhelloXX0\r\n\r\n'); // data not followed by CRLF
  bad('-5\r\nhello\r\n0\r\n\r\n');
  bad('0x5\r\nhello\r\n0\r\n\r\n');
  bad(`${'1'.repeat(17)}\r\n`); // more than 16 hex digits
  bad('fffffffffffffff\r\n'); // beyond a safe integer
  bad('5;ext\x01\r\nhello\r\n0\r\n\r\n'); // control character in an extension
  bad(`5;${'e'.repeat(5000)}\r\n`); // size line too long
  bad('0\r\nbad trailer\r\n\r\n');
  bad('0\r\nX: a\x00\r\n\r\n');
});

test('re-framing helpers write valid chunked encoding', () => {
  const out = Buffer.concat([...encodeChunk(Buffer.from('hello')), Buffer.from(lastChunk(['x-sum', '1']))]);
  assert.equal(out.toString(), '5\r\nhello\r\n0\r\nx-sum: 1\r\n\r\n');
  assert.equal(scan({ kind: 'chunked' }, out).data, 'hello');
});
