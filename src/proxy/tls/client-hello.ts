// A small TLS ClientHello reader for the detect layer: from the first bytes a client sent
// (peeked, maybe truncated, maybe not TLS at all) it extracts SNI and the ALPN list, so the
// inbound side can tell meshed TLS (ALPN transport.weft.io/v1) from an app's own TLS. It
// never throws: every read is bounds-checked and anything odd is "not-tls" or "incomplete".
//
// Layout (RFC 8446 §4.1.2): record header [0x16, ver(2), len(2)], handshake header [0x01,
// len(3)], legacy_version(2), random(32), session_id<0..32>, cipher_suites<2..2^16-2>,
// compression<1..2^8-1>, extensions<0..2^16-1> of [type(2), len(2), data].
import { MESH_ALPN } from './context.js';

export type ClientHelloInfo =
  | { readonly kind: 'not-tls' }
  /** Looks like a ClientHello so far, but more bytes are needed. */
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'client-hello'; readonly serverName: string | undefined; readonly alpn: readonly string[] };

const NOT_TLS: ClientHelloInfo = Object.freeze({ kind: 'not-tls' });
const INCOMPLETE: ClientHelloInfo = Object.freeze({ kind: 'incomplete' });
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;

class Reader {
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}
  has(n: number): boolean {
    return this.pos + n <= this.end;
  }
  u8(): number {
    return this.buf[this.pos++] as number;
  }
  u16(): number {
    const v = ((this.buf[this.pos] as number) << 8) | (this.buf[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }
  u24(): number {
    return (this.u8() << 16) | this.u16();
  }
  bytes(n: number): Uint8Array {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** Parses the start of a TLS connection. Only the first record is looked at. */
export function parseClientHello(buf: Uint8Array): ClientHelloInfo {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] !== 0x16) return NOT_TLS;
  if (buf.length < 5) return buf.length >= 2 && buf[1] !== 0x03 ? NOT_TLS : INCOMPLETE;
  if (buf[1] !== 0x03) return NOT_TLS;
  const recordLen = ((buf[3] as number) << 8) | (buf[4] as number);
  if (recordLen < 4 || recordLen > 16384) return NOT_TLS;
  const avail = Math.min(buf.length, 5 + recordLen);
  const r = new Reader(buf, 5, avail);
  if (!r.has(4)) return INCOMPLETE;
  if (r.u8() !== 0x01) return NOT_TLS;
  const helloLen = r.u24();
  // A ClientHello larger than one record is legal but we only need the common case; the
  // truncated view still parses if SNI/ALPN come early enough.
  const helloEnd = Math.min(r.pos + helloLen, avail);
  const complete = r.pos + helloLen <= avail;
  const h = new Reader(buf, r.pos, helloEnd);
  const need = () => (complete ? NOT_TLS : INCOMPLETE);

  if (!h.has(2 + 32 + 1)) return need();
  h.pos += 2 + 32;
  const sidLen = h.u8();
  if (sidLen > 32) return NOT_TLS;
  if (!h.has(sidLen + 2)) return need();
  h.pos += sidLen;
  const csLen = h.u16();
  if (csLen < 2 || csLen % 2 !== 0) return NOT_TLS;
  if (!h.has(csLen + 1)) return need();
  h.pos += csLen;
  const compLen = h.u8();
  if (!h.has(compLen)) return need();
  h.pos += compLen;
  if (!h.has(2)) {
    // No extensions at all (allowed before TLS 1.2).
    return complete ? { kind: 'client-hello', serverName: undefined, alpn: [] } : INCOMPLETE;
  }
  const extLen = h.u16();
  const extEnd = h.pos + extLen;
  let serverName: string | undefined;
  let alpn: string[] = [];
  while (h.pos < extEnd) {
    if (!h.has(4)) return need();
    const type = h.u16();
    const len = h.u16();
    if (!h.has(len)) return need();
    const data = new Reader(buf, h.pos, h.pos + len);
    h.pos += len;
    if (type === EXT_SERVER_NAME) serverName = readServerName(data);
    else if (type === EXT_ALPN) alpn = readAlpn(data);
  }
  return { kind: 'client-hello', serverName, alpn };
}

function readServerName(r: Reader): string | undefined {
  if (!r.has(2)) return undefined;
  const listLen = r.u16();
  if (!r.has(listLen)) return undefined;
  while (r.has(3)) {
    const nameType = r.u8();
    const len = r.u16();
    if (!r.has(len)) return undefined;
    const name = r.bytes(len);
    if (nameType === 0) return Buffer.from(name).toString('latin1');
  }
  return undefined;
}

function readAlpn(r: Reader): string[] {
  const out: string[] = [];
  if (!r.has(2)) return out;
  const listLen = r.u16();
  if (!r.has(listLen)) return out;
  while (r.has(1)) {
    const len = r.u8();
    if (len === 0 || !r.has(len)) break;
    out.push(Buffer.from(r.bytes(len)).toString('latin1'));
  }
  return out;
}

/** True when `buf` starts a ClientHello offering `alpn` (default: weft's meshed transport). */
export function clientHelloHasAlpn(buf: Uint8Array, alpn: string = MESH_ALPN): boolean {
  const info = parseClientHello(buf);
  return info.kind === 'client-hello' && info.alpn.includes(alpn);
}
