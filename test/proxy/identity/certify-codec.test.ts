// The proxy's hand-written Certify messages against the library the identity service uses
// (@grpc/proto-loader / protobufjs, from the same identity.proto): what one encodes the other
// decodes, both ways; and bytes that are not a message give a CertifyDecodeError, nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, protoDir } from '../../../src/api/load.js';
import {
  CertifyDecodeError,
  decodeCertifyResponse,
  encodeCertifyRequest,
  grpcFrame,
  grpcUnframe,
} from '../../../src/proxy/identity/certify-codec.js';
import { mulberry32, mutate, randomBytes } from '../../../bench/fuzz/mutate.js';

const def = protoLoader.loadSync(join(protoDir(), 'identity.proto'), { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
const certify = (def['io.linkerd.proxy.identity.Identity'] as protoLoader.ServiceDefinition).Certify;
if (!certify) throw new Error('identity.proto has no Certify');

/** Seeded integers in [0, n) and random byte strings (the fuzz harness's PRNG), so a failure can be run again. */
function generator(seed: number): { int: (n: number) => number; bytes: (max: number) => Buffer } {
  const rng = mulberry32(seed);
  const int = (n: number): number => Math.floor(rng() * n);
  return { int, bytes: (max) => randomBytes(rng, int(max + 1)) };
}

test('requests encoded here decode with the library as they were built', () => {
  const { int: r, bytes } = generator(7);
  for (let i = 0; i < 500; i++) {
    // Lengths across the varint boundaries (127/128, 16383/16384) and empty fields.
    const req = {
      identity: i % 10 === 0 ? '' : `web.shop.serviceaccount.identity.weft.cluster.local-${'é'.repeat(r(3))}${i}`,
      token: bytes(i % 3 === 0 ? 20000 : 200),
      certificateSigningRequest: bytes(i % 5 === 0 ? 0 : 600),
    };
    const got = certify.requestDeserialize(encodeCertifyRequest(req)) as typeof req;
    assert.equal(got.identity, req.identity);
    assert.ok(Buffer.from(got.token).equals(req.token), `token of request ${i}`);
    assert.ok(Buffer.from(got.certificateSigningRequest).equals(req.certificateSigningRequest), `CSR of request ${i}`);
  }
});

test('responses encoded by the library decode here, valid_until and all', () => {
  const { int: r, bytes } = generator(11);
  for (let i = 0; i < 500; i++) {
    const res = {
      leafCertificate: bytes(i % 4 === 0 ? 3000 : 900),
      intermediateCertificates: Array.from({ length: r(4) }, () => bytes(900)),
      validUntil: { seconds: 1_700_000_000 + r(1 << 30), nanos: r(1_000_000_000) },
    };
    const got = decodeCertifyResponse(certify.responseSerialize(res));
    assert.ok(got.leafCertificate.equals(res.leafCertificate), `leaf of response ${i}`);
    assert.equal(got.intermediateCertificates.length, res.intermediateCertificates.length);
    got.intermediateCertificates.forEach((c, j) => assert.ok(c.equals(res.intermediateCertificates[j] as Buffer)));
  }
});

test('unknown fields of every wire type are skipped', () => {
  const leaf = Buffer.from('leaf');
  const msg = Buffer.concat([
    Buffer.from([(9 << 3) | 0, 0xff, 0xff, 0x03]), // varint
    Buffer.from([(10 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]), // 64-bit
    Buffer.from([(11 << 3) | 5, 1, 2, 3, 4]), // 32-bit
    Buffer.from([(1 << 3) | 2, leaf.length]),
    leaf,
    Buffer.from([(12 << 3) | 2, 2, 0, 0]), // length-delimited
  ]);
  assert.ok(decodeCertifyResponse(msg).leafCertificate.equals(leaf));
});

test('bytes that are not a response give a CertifyDecodeError and nothing else', () => {
  const good = certify.responseSerialize({ leafCertificate: Buffer.alloc(300, 1), intermediateCertificates: [Buffer.alloc(200, 2)], validUntil: { seconds: 5, nanos: 0 } });
  const rng = mulberry32(3);
  let refused = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = mutate(rng, good);
    try {
      const out = decodeCertifyResponse(b);
      assert.ok(out.leafCertificate.length <= b.length);
    } catch (err) {
      assert.ok(err instanceof CertifyDecodeError, `input ${i}: ${String(err)}`);
      refused++;
    }
  }
  assert.ok(refused > 1000, `mutations refused: ${refused}`);
  assert.throws(() => decodeCertifyResponse(Buffer.from([0x0a, 0x05, 1, 2])), /runs past the message/);
  assert.throws(() => decodeCertifyResponse(Buffer.from([0x0b])), /wire type 3/);
  assert.throws(() => decodeCertifyResponse(Buffer.from([0x08, 0x80])), /truncated varint/);
});

test('gRPC framing: one uncompressed message, exactly', () => {
  const m = Buffer.from('message');
  assert.ok(grpcUnframe(grpcFrame(m)).equals(m));
  assert.ok(grpcUnframe(grpcFrame(Buffer.alloc(0))).equals(Buffer.alloc(0)));
  assert.throws(() => grpcUnframe(Buffer.from([0, 0, 0])), CertifyDecodeError);
  assert.throws(() => grpcUnframe(Buffer.concat([grpcFrame(m), grpcFrame(m)])), /exactly one/);
  const compressed = grpcFrame(m);
  compressed[0] = 1;
  assert.throws(() => grpcUnframe(compressed), /compressed/);
});
