// The fuzz targets (issue 10): the parsers that read what a client or peer sends before anything
// else is trusted. Each takes one input and checks its own invariants; an exception that is not
// the parser's typed error, or a broken invariant, is a finding. Shared by the long-running
// script (bench/fuzz/run.ts) and the seeded pass in CI (test/bench/fuzz.test.ts).
import assert from 'node:assert/strict';
import { classify, classifyStalled, peekLimit } from '../../src/proxy/detect/protocol.js';
import { BodyReader } from '../../src/proxy/http/h1/body.js';
import { H1ParseError } from '../../src/proxy/http/h1/errors.js';
import { findHeadEnd, parseRequestHead, parseResponseHead } from '../../src/proxy/http/h1/head.js';
import { parseClientHello } from '../../src/proxy/tls/client-hello.js';
import { TransportHeaderError } from '../../src/proxy/tls/errors.js';
import { decodeTransportHeader, encodeTransportHeader } from '../../src/proxy/tls/transport-header.js';

export interface FuzzTarget {
  readonly name: string;
  readonly seeds: readonly Buffer[];
  run(input: Buffer): void;
}

const LIMITS = { maxHeadBytes: 16 * 1024, maxHeaders: 100 };
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function expectTyped(err: unknown, cls: new (...a: never[]) => Error): void {
  if (!(err instanceof cls)) throw err;
}

const h1Head: FuzzTarget = {
  name: 'http1-head',
  seeds: [
    b('GET /path?q=1 HTTP/1.1\r\nHost: a.b:80\r\nAccept: */*\r\n\r\n'),
    b('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello'),
    b('POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, x-a\r\n\r\n'),
    b('GET / HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n'),
    b('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'),
    b('HTTP/1.1 204 No Content\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'),
  ],
  run(input) {
    let end: number;
    try {
      end = findHeadEnd(input, 0, LIMITS.maxHeadBytes);
    } catch (err) {
      return expectTyped(err, H1ParseError);
    }
    if (end < 0) return;
    assert.ok(end <= input.length);
    for (const parse of [parseRequestHead, parseResponseHead]) {
      try {
        const h = parse(input, 0, end, LIMITS);
        // What the parser accepts is unambiguous: one framing, clean names, values without CR/LF.
        assert.equal(h.size, end);
        assert.ok(h.headers.length % 2 === 0 && h.headers.length <= 2 * LIMITS.maxHeaders);
        for (let i = 0; i < h.headers.length; i += 2) {
          assert.match(h.headers[i] as string, /^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
          assert.doesNotMatch(h.headers[i + 1] as string, /[\r\n\0]/);
        }
        const cl = h.headers.filter((_, i) => i % 2 === 0 && h.headers[i] === 'content-length').length;
        const te = h.headers.some((v, i) => i % 2 === 0 && v === 'transfer-encoding');
        assert.ok(cl <= 1 && !(cl === 1 && te));
        if (h.framing.kind === 'length') assert.ok(Number.isSafeInteger(h.framing.length) && h.framing.length > 0);
      } catch (err) {
        expectTyped(err, H1ParseError);
      }
    }
  },
};

const chunked: FuzzTarget = {
  name: 'http1-chunked-body',
  seeds: [b('5\r\nhello\r\n0\r\n\r\n'), b('a;x=y\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n'), b('1\r\nz\r\n1\r\nz\r\n0\r\n\r\nGET / HTTP/1.1\r\n')],
  run(input) {
    const r = new BodyReader({ kind: 'chunked' });
    let raw = 0;
    try {
      const used = r.feed(input, 0, { raw: (c) => void (raw += c.length) });
      assert.equal(raw, used);
      assert.ok(used <= input.length);
      if (!r.done) assert.equal(used, input.length, 'an unfinished body consumes all it is given');
    } catch (err) {
      expectTyped(err, H1ParseError);
    }
  },
};

const detect: FuzzTarget = {
  name: 'protocol-detection',
  seeds: [b('GET / HTTP/1.1\r\n'), b('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40, 0x01]), b('SSH-2.0-OpenSSH\r\n'), b('CONNECT a:443 HTTP/1.1\r\n')],
  run(input) {
    const limit = peekLimit(input);
    const d = classify(input.subarray(0, limit));
    assert.ok(['http1', 'h2', 'tls', 'opaque', 'need-more'].includes(d));
    if (input.length >= limit) assert.notEqual(d, 'need-more', 'a full peek decides');
    if (d === 'need-more') assert.ok(['http1', 'opaque'].includes(classifyStalled(input)));
  },
};

const clientHello: FuzzTarget = {
  name: 'tls-client-hello',
  seeds: [
    // A TLS 1.3 ClientHello with SNI and the mesh ALPN, as Node sends it.
    Buffer.from(
      '16030100b5010000b10303' + '00'.repeat(32) + '00' + '0004130113020100' + '0084' +
        '0000001c001a0000177765622e64656d6f2e736572766963656163636f756e74' +
        '0010001700151477656674' + '2e696f2f7472616e73706f72742e7631'.slice(0, 30) + '0a' +
        '002b0003020304' + '000d0004000204030033002600240017002000' + '11'.repeat(32),
      'hex',
    ),
    Buffer.from('160301000401000000', 'hex'),
  ],
  run(input) {
    const info = parseClientHello(input);
    assert.ok(['not-tls', 'incomplete', 'client-hello'].includes(info.kind));
    if (info.kind === 'client-hello') for (const p of info.alpn) assert.ok(p.length > 0 && p.length < 256);
  },
};

const transportHeader: FuzzTarget = {
  name: 'transport-header',
  seeds: [encodeTransportHeader({ port: 8080, protocol: 'http1' }), encodeTransportHeader({ port: 3306, protocol: 'opaque', name: 'db.shop.svc.cluster.local:3306' })],
  run(input) {
    try {
      const got = decodeTransportHeader(input);
      if (!got) return;
      assert.ok(got.size <= input.length);
      assert.ok(Number.isInteger(got.header.port) && got.header.port >= 1 && got.header.port <= 65535);
      assert.match(got.header.protocol, /^[a-z0-9][a-z0-9._-]{0,31}$/);
    } catch (err) {
      expectTyped(err, TransportHeaderError);
    }
  },
};

export const TARGETS: readonly FuzzTarget[] = [h1Head, chunked, detect, clientHello, transportHeader];
