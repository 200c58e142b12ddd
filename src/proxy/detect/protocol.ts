// Pure protocol classification of the first bytes a client sent. Returns 'need-more' while
// the prefix is still ambiguous; the detect layer then waits for more bytes, up to
// peekLimit() and the detect timeout, and then decides with classifyStalled().
//
// What cannot be told apart is resolved towards HTTP, where the proxy's limits apply and the
// identity headers are stripped (issue 19): a first line that starts like a request line is
// HTTP/1 however long it is (the engine answers 431 past the header limit), a request line with
// any HTTP version is HTTP/1 (the engine answers 505 for versions other than 1.0 and 1.1), and
// a stalled prefix that can only be the start of a request is HTTP/1 (the engine answers 408).
// Only bytes an HTTP server would refuse anyway go to the app unparsed.

export type Protocol = 'http1' | 'h2' | 'tls' | 'opaque';
export type Detection = Protocol | 'need-more';

/** Bytes peeked before a non-TLS connection is decided. */
export const MAX_PEEK_BYTES = 1024;
/**
 * A ClientHello is read whole (its first record, at most 2^14 bytes) before deciding, so that
 * SNI and ALPN are found even when the hello arrives in several TCP segments.
 */
export const MAX_TLS_PEEK_BYTES = 5 + 16384;

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
// Method token (RFC 9110 tchar) SP request-target SP HTTP/d.d CRLF. The target is checked by
// the engine (a malformed one is a 400 there, not a reason to pass the bytes on unparsed).
const H1_REQUEST_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} [^\r\n]* HTTP\/\d+\.\d+\r?\n/;
// The start of a request line: method token, SP, a visible character.
const H1_START = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} [\x21-\x7e]/;
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** How many bytes the detect layer may peek for a connection starting with `buf`. */
export function peekLimit(buf: Buffer): number {
  return buf[0] === 0x16 ? MAX_TLS_PEEK_BYTES : MAX_PEEK_BYTES;
}

export function classify(buf: Buffer): Detection {
  if (buf.length === 0) return 'need-more';

  // HTTP/2 prior knowledge: the fixed 24-byte connection preface.
  const n = Math.min(buf.length, H2_PREFACE.length);
  if (buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
    return n === H2_PREFACE.length ? 'h2' : 'need-more';
  }

  // TLS: handshake record (0x16), major version 3, then a ClientHello (type 1), read up to the
  // end of its first record.
  if (buf[0] === 0x16) {
    if (buf.length < 6) return buf.length < 2 || buf[1] === 0x03 ? 'need-more' : 'opaque';
    if (buf[1] !== 0x03 || buf[5] !== 0x01) return 'opaque';
    const recordEnd = 5 + buf.readUInt16BE(3);
    return buf.length >= Math.min(recordEnd, MAX_TLS_PEEK_BYTES) ? 'tls' : 'need-more';
  }

  // HTTP/1.x: a request line ending in " HTTP/<version>".
  const head = buf.toString('latin1', 0, Math.min(buf.length, MAX_PEEK_BYTES));
  if (H1_REQUEST_LINE.test(head)) return 'http1';
  const nl = head.indexOf('\n');
  if (nl >= 0) return 'opaque'; // a complete first line that is not a request line
  if (buf.length >= MAX_PEEK_BYTES) return H1_START.test(head) ? 'http1' : 'opaque';
  // Still could be a request line if everything so far is a method token, then SP, then target.
  const sp = head.indexOf(' ');
  const method = sp < 0 ? head : head.slice(0, sp);
  for (const c of method) if (!TOKEN_CHAR.test(c)) return 'opaque';
  if (method.length > 32) return 'opaque';
  return 'need-more';
}

/**
 * The verdict for a prefix that stopped arriving (detect timeout) while classify() still said
 * 'need-more': HTTP/1 when it can only be the start of a request — a method and a space, a
 * prefix of a standard method, or of the HTTP/2 preface (the engine then answers 408 or 505);
 * otherwise opaque (silence, a partial ClientHello, another protocol's greeting).
 */
export function classifyStalled(buf: Buffer): Protocol {
  if (buf.length === 0 || buf[0] === 0x16) return 'opaque';
  const head = buf.toString('latin1', 0, Math.min(buf.length, MAX_PEEK_BYTES));
  if (H1_START.test(head) || /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} $/.test(head)) return 'http1';
  if (H2_PREFACE.subarray(0, buf.length).equals(buf.subarray(0, H2_PREFACE.length))) return 'http1';
  return METHODS.some((m) => m.startsWith(head)) ? 'http1' : 'opaque';
}
