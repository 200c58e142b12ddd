// Pure protocol classification of the first bytes a client sent. Returns 'need-more' while
// the prefix is still ambiguous; the detect layer then waits for more bytes, up to
// MAX_PEEK_BYTES and the detect timeout, and falls back to opaque TCP.

export type Protocol = 'http1' | 'h2' | 'tls' | 'opaque';
export type Detection = Protocol | 'need-more';

export const MAX_PEEK_BYTES = 1024;

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
// Method token (RFC 9110 tchar subset seen in practice) SP request-target SP HTTP/1.x CRLF.
const H1_REQUEST_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} [^ \r\n]{1,8192} HTTP\/1\.[01]\r?\n/;
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

export function classify(buf: Buffer): Detection {
  if (buf.length === 0) return 'need-more';

  // HTTP/2 prior knowledge: the fixed 24-byte connection preface.
  const n = Math.min(buf.length, H2_PREFACE.length);
  if (buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
    return n === H2_PREFACE.length ? 'h2' : 'need-more';
  }

  // TLS: handshake record (0x16), major version 3, then a ClientHello (type 1).
  if (buf[0] === 0x16) {
    if (buf.length < 6) return buf.length < 2 || buf[1] === 0x03 ? 'need-more' : 'opaque';
    return buf[1] === 0x03 && buf[5] === 0x01 ? 'tls' : 'opaque';
  }

  // HTTP/1.x: a request line ending in " HTTP/1.0" or " HTTP/1.1".
  const head = buf.toString('latin1', 0, Math.min(buf.length, MAX_PEEK_BYTES));
  if (H1_REQUEST_LINE.test(head)) return 'http1';
  const nl = head.indexOf('\n');
  if (nl >= 0) return 'opaque'; // a complete first line that is not a request line
  // Still could be a request line if everything so far is a method token, then SP, then target.
  const sp = head.indexOf(' ');
  const method = sp < 0 ? head : head.slice(0, sp);
  for (const c of method) if (!TOKEN_CHAR.test(c)) return 'opaque';
  if (method.length > 32) return 'opaque';
  return buf.length >= MAX_PEEK_BYTES ? 'opaque' : 'need-more';
}
