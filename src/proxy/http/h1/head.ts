// HTTP/1.1 message heads (RFC 9112), parsed strictly: the proxy reads only the head of each
// message (routing needs the method, target, Host and framing headers) and moves body bytes
// as they are. Where request smuggling lives the parser refuses rather than guesses: a bare CR
// or LF, NUL or any other control character, obs-fold, whitespace before a colon, a
// Content-Length that is not plain digits or appears twice, Transfer-Encoding other than a
// final "chunked" or together with Content-Length, more than one Host. Nothing ambiguous is
// ever forwarded.
//
// Why hand-written (issue 10): node:http's server and client objects cost ~7x the runtime's own
// byte path per request on this machine (a weft hop did 8.1k req/s where a Node TCP pipe did
// 57.7k, nginx 69.7k); a head parse on a latin1 string plus raw body forwarding brings the hop
// near the pipe (figures in bench/RESULTS.md). Fuzzed by bench/fuzz (millions of inputs) and a
// seeded pass in test/proxy/http/h1.
import { H1ParseError } from './errors.js';

export interface Limits {
  /** Bytes of the whole head, request/status line included. */
  readonly maxHeadBytes: number;
  /** Header fields. */
  readonly maxHeaders: number;
}

/** How a message's body is delimited. */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** Response only: the body runs until the connection closes. */
  | { readonly kind: 'close' };

export const NO_BODY: Framing = Object.freeze({ kind: 'none' });
const CLOSE_DELIMITED: Framing = Object.freeze({ kind: 'close' });

interface HeadCommon {
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Flat list: lower-cased name, value, name, value, ... (order kept, values trimmed). */
  readonly headers: string[];
  /** Connection-option tokens, lower-cased (close, keep-alive, upgrade, named headers). */
  readonly connection: readonly string[];
  /** From Content-Length/Transfer-Encoding (for a response, before method/status rules). */
  readonly framing: Framing;
  /** Bytes of the head, including the final CRLFCRLF. */
  readonly size: number;
}

export interface RequestHead extends HeadCommon {
  readonly method: string;
  readonly target: string;
  /** The Host header, if any. */
  readonly host: string | undefined;
  readonly expectContinue: boolean;
  /** The Upgrade header (e.g. "websocket") when Connection names upgrade. */
  readonly upgrade: string | undefined;
}

export interface ResponseHead extends HeadCommon {
  readonly status: number;
  readonly reason: string;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Where the head ends (index just past CRLFCRLF) in `buf` from `start`, or -1 if it has not
 * ended yet. Throws HEAD_TOO_LARGE once more than the limit is buffered without an end.
 */
export function findHeadEnd(buf: Buffer, start: number, maxHeadBytes: number): number {
  const i = buf.indexOf(CRLFCRLF, start);
  if (i < 0) {
    if (buf.length - start > maxHeadBytes) throw new H1ParseError('HEAD_TOO_LARGE', `head exceeds ${maxHeadBytes} bytes`);
    return -1;
  }
  const end = i + 4;
  if (end - start > maxHeadBytes) throw new H1ParseError('HEAD_TOO_LARGE', `head exceeds ${maxHeadBytes} bytes`);
  return end;
}

// Control characters other than HTAB, and DEL, anywhere in a head; and a CR or LF that is not
// part of a CRLF pair. (Matching control characters is this regex's whole point.)
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const DIGITS = /^[0-9]{1,15}$/;

function lines(buf: Buffer, start: number, end: number): string[] {
  const text = buf.toString('latin1', start, end - 4);
  if (FORBIDDEN.test(text)) throw new H1ParseError('BAD_CHARACTER', 'control character, bare CR or bare LF in the head');
  return text.split('\r\n');
}

interface Fields {
  headers: string[];
  connection: string[];
  contentLength: number | undefined;
  /** Transfer-Encoding values joined, if any. */
  te: string | undefined;
  host: string | undefined;
  expectContinue: boolean;
  upgrade: string | undefined;
}

/** Header lines from index 1 on; validates names and values and reads the framing headers. */
function fields(ls: string[], limits: Limits): Fields {
  if (ls.length - 1 > limits.maxHeaders) throw new H1ParseError('TOO_MANY_HEADERS', `more than ${limits.maxHeaders} header fields`);
  const headers: string[] = [];
  let connection: string[] = [];
  let contentLength: string | undefined;
  let te: string | undefined;
  let host: string | undefined;
  let hosts = 0;
  let expectContinue = false;
  let upgrade: string | undefined;
  for (let i = 1; i < ls.length; i++) {
    const line = ls[i] as string;
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) throw new H1ParseError('OBS_FOLD', 'obsolete line folding');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new H1ParseError('BAD_HEADER', 'header line without a name and colon');
    const rawName = line.slice(0, colon);
    if (!TOKEN.test(rawName)) throw new H1ParseError('BAD_HEADER', `invalid header name "${rawName.slice(0, 40)}"`);
    const name = rawName.toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.push(name, value);
    switch (name) {
      case 'content-length':
        if (contentLength !== undefined) throw new H1ParseError('BAD_FRAMING', 'more than one Content-Length');
        if (!DIGITS.test(value)) throw new H1ParseError('BAD_FRAMING', `invalid Content-Length "${value.slice(0, 40)}"`);
        contentLength = value;
        break;
      case 'transfer-encoding':
        te = te === undefined ? value : `${te},${value}`;
        break;
      case 'host':
        hosts++;
        host = value;
        break;
      case 'connection':
        // Nearly always one token ("keep-alive", "close"): no split, map and filter for it.
        if (value.indexOf(',') < 0) {
          if (value) connection.push(value.toLowerCase());
        } else connection = connection.concat(value.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
        break;
      case 'expect':
        expectContinue = value.toLowerCase() === '100-continue';
        break;
      case 'upgrade':
        upgrade = value;
        break;
    }
  }
  if (hosts > 1) throw new H1ParseError('BAD_HEADER', 'more than one Host');
  if (te !== undefined && contentLength !== undefined) throw new H1ParseError('BAD_FRAMING', 'both Transfer-Encoding and Content-Length');
  return {
    headers,
    connection,
    contentLength: contentLength === undefined ? undefined : Number(contentLength),
    te,
    host,
    expectContinue,
    upgrade: connection.includes('upgrade') ? upgrade : undefined,
  };
}

const lengthFraming = (n: number | undefined): Framing => (n === undefined || n === 0 ? NO_BODY : { kind: 'length', length: n });

function version(v: string | undefined): 0 | 1 {
  if (v === 'HTTP/1.1') return 1;
  if (v === 'HTTP/1.0') return 0;
  throw new H1ParseError('BAD_VERSION', `unsupported version "${(v ?? '').slice(0, 20)}"`);
}

/** Parses the request head in buf[start, end) (end from findHeadEnd). */
export function parseRequestHead(buf: Buffer, start: number, end: number, limits: Limits): RequestHead {
  const ls = lines(buf, start, end);
  const line = ls[0] as string;
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) throw new H1ParseError('BAD_REQUEST_LINE', 'malformed request line');
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  if (!TOKEN.test(method)) throw new H1ParseError('BAD_REQUEST_LINE', 'invalid method');
  if (!TARGET.test(target)) throw new H1ParseError('BAD_REQUEST_LINE', 'invalid request target');
  const minor = version(line.slice(sp2 + 1));
  const f = fields(ls, limits);
  let framing = lengthFraming(f.contentLength);
  if (f.te !== undefined) {
    // Only chunked is understood in a request; anything else (gzip, chunked, an obfuscated
    // spelling) would leave its end unknowable to us, and maybe different to the next hop.
    if (f.te.toLowerCase() !== 'chunked') throw new H1ParseError('BAD_FRAMING', `unsupported Transfer-Encoding "${f.te.slice(0, 40)}"`);
    if (minor === 0) throw new H1ParseError('BAD_FRAMING', 'Transfer-Encoding in an HTTP/1.0 request');
    framing = { kind: 'chunked' };
  }
  return { method, target, minor, headers: f.headers, connection: f.connection, framing, size: end - start, host: f.host, expectContinue: f.expectContinue, upgrade: f.upgrade };
}

/** Parses a response head in buf[start, end). */
export function parseResponseHead(buf: Buffer, start: number, end: number, limits: Limits): ResponseHead {
  const ls = lines(buf, start, end);
  const line = ls[0] as string;
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) throw new H1ParseError('BAD_STATUS_LINE', 'malformed status line');
  const minor = version(line.slice(0, sp1));
  const code = line.slice(sp1 + 1, sp1 + 4);
  const after = line.charCodeAt(sp1 + 4);
  if (!/^[1-9][0-9][0-9]$/.test(code) || !(Number.isNaN(after) || after === 0x20)) throw new H1ParseError('BAD_STATUS_LINE', 'invalid status code');
  const f = fields(ls, limits);
  let framing = lengthFraming(f.contentLength);
  if (f.te !== undefined) {
    // A response may carry other codings before chunked (gzip, chunked): its body is still
    // chunk-delimited. Without a final chunked, it runs until the server closes.
    const last = f.te.toLowerCase().split(',').pop()?.trim();
    framing = last === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  return { minor, status: Number(code), reason: line.slice(sp1 + 5), headers: f.headers, connection: f.connection, framing, size: end - start };
}

/** Whether a response to `method` with `status` carries a body, and how it is delimited. */
export function responseFraming(head: ResponseHead, method: string): Framing {
  const s = head.status;
  if (method === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) return NO_BODY;
  if (head.framing.kind !== 'none') return head.framing;
  // No length and not chunked: read until the server closes (RFC 9112 §6.3 item 8), unless a
  // Content-Length: 0 was given (which parsed as none).
  return hasHeader(head.headers, 'content-length') ? NO_BODY : CLOSE_DELIMITED;
}

export function hasHeader(headers: readonly string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return true;
  return false;
}

/** Whether the connection stays open after this message (RFC 9112 §9.3). */
export function keepAlive(head: HeadCommon): boolean {
  if (head.connection.includes('close')) return false;
  return head.minor === 1 || head.connection.includes('keep-alive');
}
