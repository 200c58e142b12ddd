// The two messages of io.linkerd.proxy.identity.Identity/Certify (src/api/proto/identity.proto)
// in protobuf's wire format, and gRPC's length-prefixed framing around them. Written out by hand
// for the proxy only, so that a proxy's start does not load @grpc/proto-loader and protobufjs to
// parse identity.proto (certify-call.ts has the figure). The identity service still uses the
// library; test/proxy/identity/certify-codec.test.ts checks both encodings against it.
//   CertifyRequest  { string identity = 1; bytes token = 2; bytes certificate_signing_request = 3; }
//   CertifyResponse { bytes leaf_certificate = 1; repeated bytes intermediate_certificates = 2;
//                     google.protobuf.Timestamp valid_until = 3; }
import { WeftError } from '../../lib/errors.js';

export interface CertifyRequest {
  readonly identity: string;
  readonly token: Buffer;
  readonly certificateSigningRequest: Buffer;
}

export interface CertifyResponse {
  readonly leafCertificate: Buffer;
  readonly intermediateCertificates: Buffer[];
}

/** A Certify message or frame that does not decode. */
export class CertifyDecodeError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_CERTIFY_DECODE', message);
  }
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field; proto3 leaves an empty one out. */
function lenField(field: number, value: Buffer): Buffer[] {
  if (value.length === 0) return [];
  return [Buffer.from([...varint((field << 3) | WIRE_LEN), ...varint(value.length)]), value];
}

export function encodeCertifyRequest(req: CertifyRequest): Buffer {
  return Buffer.concat([
    ...lenField(1, Buffer.from(req.identity, 'utf8')),
    ...lenField(2, req.token),
    ...lenField(3, req.certificateSigningRequest),
  ]);
}

/** Reads protobuf fields one by one; every read is bounded by the buffer. */
class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint as a number (exact up to 2^53; longer ones only need skipping here). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new CertifyDecodeError('truncated varint');
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new CertifyDecodeError('varint longer than 10 bytes');
  }

  bytes(): Buffer {
    const n = this.varint();
    if (n > this.buf.length - this.pos) throw new CertifyDecodeError('length-delimited field runs past the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_LEN) this.bytes();
    else if (wireType === WIRE_I64 || wireType === WIRE_I32) {
      const n = wireType === WIRE_I64 ? 8 : 4;
      if (n > this.buf.length - this.pos) throw new CertifyDecodeError('fixed-width field runs past the message');
      this.pos += n;
    } else throw new CertifyDecodeError(`unsupported wire type ${wireType}`);
  }
}

export function decodeCertifyResponse(buf: Buffer): CertifyResponse {
  const r = new WireReader(buf);
  let leaf = Buffer.alloc(0);
  const intermediates: Buffer[] = [];
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 1 && wireType === WIRE_LEN) leaf = Buffer.from(r.bytes());
    else if (field === 2 && wireType === WIRE_LEN) intermediates.push(Buffer.from(r.bytes()));
    else if (field === 0) throw new CertifyDecodeError('field number 0');
    else r.skip(wireType); // valid_until (the leaf's own notAfter is what counts) and unknown fields
  }
  return { leafCertificate: leaf, intermediateCertificates: intermediates };
}

/** gRPC's message framing: compressed flag 0, 4-byte big-endian length, the message. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The one message of a unary response body. */
export function grpcUnframe(body: Buffer): Buffer {
  if (body.length < 5) throw new CertifyDecodeError(`response body of ${body.length} bytes holds no gRPC message`);
  if (body[0] !== 0) throw new CertifyDecodeError('compressed response message (none was accepted)');
  const n = body.readUInt32BE(1);
  if (body.length !== 5 + n) throw new CertifyDecodeError(`response body of ${body.length} bytes does not hold exactly one ${n}-byte message`);
  return body.subarray(5);
}
