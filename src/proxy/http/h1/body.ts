// Tracks an HTTP/1.1 body through the bytes of a connection (RFC 9112 §6, §7.1): where it ends
// (so keep-alive and pipelining stay correct) and, when asked, what it decodes to. A body is
// normally forwarded as it arrived — chunk framing included — so the scanner only reads chunk
// sizes and skips data; a hop that changes framing (to HTTP/2, or to an HTTP/1.0 client) asks
// for the decoded payload and the trailers instead.
//
// Strict where ambiguity could smuggle a request: chunk sizes are 1-16 hex digits, every line
// ends in CRLF (a bare LF is an error), chunk data must be followed by CRLF, extensions and
// trailer lines hold no control characters, and sizes or trailers past their limits fail.
import { H1ParseError } from './errors.js';
import type { Framing } from './head.js';

export interface BodyEvents {
  /** Bytes of the body as they arrived, framing included (for forwarding as is). */
  raw?(chunk: Buffer): void;
  /** Payload bytes, chunk framing removed. */
  data?(chunk: Buffer): void;
}

/** Longest chunk-size line (size + extensions) or trailer block accepted. */
export const MAX_CHUNK_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;

const enum S {
  Size,
  Data,
  DataCr,
  DataLf,
  Trailers,
  Done,
}

const HEX = /^[0-9a-fA-F]{1,16}$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CTL = /[\x00-\x08\x0a-\x1f\x7f]/;
const TRAILER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;

export class BodyReader {
  private state: S;
  /** Length bodies and the current chunk: payload bytes still to come. */
  private remaining = 0;
  /** A chunk-size or trailer line split across reads. */
  private line = '';
  private trailerBytes = 0;
  /** Trailer fields of a chunked body: lower-cased name, value, ... */
  readonly trailers: string[] = [];
  /** Payload bytes seen so far. */
  bytes = 0;

  constructor(readonly framing: Framing) {
    if (framing.kind === 'length') this.remaining = framing.length;
    this.state = framing.kind === 'none' ? S.Done : framing.kind === 'chunked' ? S.Size : S.Data;
  }

  get done(): boolean {
    return this.state === S.Done;
  }

  /**
   * Reads body bytes from buf[offset..]; returns how many belonged to this body (the rest is
   * the next message). Throws H1ParseError('BAD_CHUNK') on malformed chunked framing.
   */
  feed(buf: Buffer, offset: number, ev: BodyEvents): number {
    if (this.state === S.Done) return 0;
    const kind = this.framing.kind;
    if (kind === 'close') {
      const c = offset === 0 ? buf : buf.subarray(offset);
      this.bytes += c.length;
      ev.raw?.(c);
      ev.data?.(c);
      return c.length;
    }
    if (kind === 'length') {
      const n = Math.min(this.remaining, buf.length - offset);
      const c = offset === 0 && n === buf.length ? buf : buf.subarray(offset, offset + n);
      this.remaining -= n;
      this.bytes += n;
      if (n > 0) {
        ev.raw?.(c);
        ev.data?.(c);
      }
      if (this.remaining === 0) this.state = S.Done;
      return n;
    }
    const used = this.chunked(buf, offset, ev);
    if (used > 0 && ev.raw) ev.raw(offset === 0 && used === buf.length ? buf : buf.subarray(offset, offset + used));
    return used;
  }

  /** The connection ended: true when that completes the body (close-delimited), else truncated. */
  eof(): boolean {
    if (this.framing.kind === 'close') this.state = S.Done;
    return this.state === S.Done;
  }

  private chunked(buf: Buffer, offset: number, ev: BodyEvents): number {
    let i = offset;
    const end = buf.length;
    while (i < end && this.state !== S.Done) {
      switch (this.state) {
        case S.Size: {
          const lf = buf.indexOf(0x0a, i);
          const stop = lf < 0 ? end : lf + 1;
          this.line += buf.toString('latin1', i, stop);
          if (this.line.length > MAX_CHUNK_LINE) throw new H1ParseError('BAD_CHUNK', 'chunk size line too long');
          i = stop;
          if (lf < 0) break;
          this.sizeLine(this.line);
          this.line = '';
          break;
        }
        case S.Data: {
          const n = Math.min(this.remaining, end - i);
          if (ev.data && n > 0) ev.data(buf.subarray(i, i + n));
          this.remaining -= n;
          this.bytes += n;
          i += n;
          if (this.remaining === 0) this.state = S.DataCr;
          break;
        }
        case S.DataCr:
          if (buf[i++] !== 0x0d) throw new H1ParseError('BAD_CHUNK', 'chunk data not followed by CRLF');
          this.state = S.DataLf;
          break;
        case S.DataLf:
          if (buf[i++] !== 0x0a) throw new H1ParseError('BAD_CHUNK', 'chunk data not followed by CRLF');
          this.state = S.Size;
          break;
        case S.Trailers: {
          const lf = buf.indexOf(0x0a, i);
          const stop = lf < 0 ? end : lf + 1;
          this.line += buf.toString('latin1', i, stop);
          this.trailerBytes += stop - i;
          if (this.trailerBytes > MAX_TRAILER_BYTES) throw new H1ParseError('BAD_CHUNK', 'trailers too large');
          i = stop;
          if (lf < 0) break;
          this.trailerLine(this.line);
          this.line = '';
          break;
        }
      }
    }
    return i - offset;
  }

  private sizeLine(l: string): void {
    if (l.length < 3 || l.charCodeAt(l.length - 2) !== 0x0d) throw new H1ParseError('BAD_CHUNK', 'chunk size line without CRLF');
    const body = l.slice(0, -2);
    const semi = body.indexOf(';');
    const size = (semi < 0 ? body : body.slice(0, semi)).replace(/[ \t]+$/, '');
    if (!HEX.test(size)) throw new H1ParseError('BAD_CHUNK', `invalid chunk size "${size.slice(0, 20)}"`);
    if (semi >= 0 && CTL.test(body.slice(semi))) throw new H1ParseError('BAD_CHUNK', 'control character in a chunk extension');
    const n = parseInt(size, 16);
    if (!Number.isSafeInteger(n)) throw new H1ParseError('BAD_CHUNK', 'chunk size too large');
    if (n === 0) this.state = S.Trailers;
    else {
      this.remaining = n;
      this.state = S.Data;
    }
  }

  private trailerLine(l: string): void {
    if (l.length < 2 || l.charCodeAt(l.length - 2) !== 0x0d) throw new H1ParseError('BAD_CHUNK', 'trailer line without CRLF');
    const text = l.slice(0, -2);
    if (text === '') {
      this.state = S.Done;
      return;
    }
    const m = TRAILER.exec(text);
    if (!m || CTL.test(text.replace(/\t/g, ' '))) throw new H1ParseError('BAD_CHUNK', 'malformed trailer field');
    this.trailers.push((m[1] as string).toLowerCase(), m[2] as string);
  }
}

/** One chunk of chunked encoding around `data` (for a hop that must re-frame a body). */
export function encodeChunk(data: Buffer): Buffer[] {
  return [Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF];
}

/** The last chunk, with trailers (flat name/value list) if any. */
export function lastChunk(trailers: readonly string[] = []): string {
  let s = '0\r\n';
  for (let i = 0; i < trailers.length; i += 2) s += `${trailers[i]}: ${trailers[i + 1]}\r\n`;
  return s + '\r\n';
}

const CRLF = Buffer.from('\r\n', 'latin1');
