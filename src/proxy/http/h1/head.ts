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
  /** `codings`: a response's transfer codings before the final chunked ("gzip"), kept as they are. */
  | { readonly kind: 'chunked'; readonly codings?: string }
  /** Response only: the body runs until the connection closes (`codings`: its transfer codings). */
  | { readonly kind: 'close'; readonly codings?: string };

export const NO_BODY: Framing = Object.freeze({ kind: 'none' });
const CLOSE_DELIMITED: Framing = Object.freeze({ kind: 'close' });
const CHUNKED: Framing = Object.freeze({ kind: 'chunked' });

/** Chunked or close-delimited framing, with the transfer codings before it when there are any. */
export function codedFraming(kind: 'chunked' | 'close', codings: string | undefined): Framing {
  if (codings) return { kind, codings };
  return kind === 'chunked' ? CHUNKED : CLOSE_DELIMITED;
}

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
  /** The head's bytes as received (a view of the read buffer, CRLFCRLF included). */
  readonly raw: Buffer;
  /**
   * Where its Connection and Keep-Alive lines are in `raw`: [from, to) pairs, each line with its
   * CRLF, in order. A head passed on as it came leaves them out (h1-forward.ts).
   */
  readonly connectionLines: readonly number[];
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

// Bytes a header name (a token, RFC 9110 §5.6.2) may hold: 1 = tchar, 2 = upper-case letter.
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 2;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const DIGITS = /^[0-9]{1,15}$/;
const STATUS = /^[1-9][0-9][0-9]$/;

/**
 * The head as a latin1 string, without its final CRLFCRLF, checked in one pass over its bytes:
 * no control character other than HTAB (DEL included), and every CR or LF part of a CRLF pair.
 * (A regex with a lookbehind on the string did this at ~4x the cost; the head parses were
 * 4.2 µs of a hop's request, 2.7 µs now: docs/proxy.md, HTTP/1 engine.)
 */
function headText(buf: Buffer, start: number, end: number): string {
  const last = end - 4;
  for (let i = start; i < last; i++) {
    const c = buf[i] as number;
    if (c >= 0x20 && c !== 0x7f) continue;
    if (c === 0x09) continue;
    if (c === 0x0d && buf[i + 1] === 0x0a) {
      i++;
      continue;
    }
    throw new H1ParseError('BAD_CHARACTER', 'control character, bare CR or bare LF in the head');
  }
  return buf.toString('latin1', start, last);
}

/** Whether s is a token (RFC 9110 §5.6.2): one or more tchars. */
function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!TCHAR[s.charCodeAt(i)]) return false;
  return true;
}

/** Where the line starting at `from` ends (its CRLF, or the end of the text). */
function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\r\n', from);
  return i < 0 ? text.length : i;
}

// Names seen on nearly every message, returned as these constant strings instead of a slice
// and a lower-cased copy: the head parse allocated ~1.3 KB per proxied request, a sixth of
// the hop's allocation, and an interned name also makes the framing switch below cheap.
const KNOWN_NAMES = [
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'server',
  'user-agent', 'accept', 'accept-encoding', 'accept-language', 'accept-ranges', 'te', 'trailer', 'upgrade', 'expect',
  'cache-control', 'authorization', 'cookie', 'set-cookie', 'location', 'vary', 'etag', 'last-modified', 'pragma',
  'content-encoding', 'origin', 'referer', 'traceparent', 'tracestate', 'x-request-id', 'x-forwarded-for',
];
const KNOWN_BY_LENGTH: string[][] = [];
for (const n of KNOWN_NAMES) (KNOWN_BY_LENGTH[n.length] ??= []).push(n);

/**
 * The known name text[from, to) spells in any case, or undefined. Known names hold only
 * lower-case letters and '-', so OR-ing 0x20 into a token byte matches exactly those letters
 * in either case and leaves '-' as it is.
 */
function knownName(text: string, from: number, to: number): string | undefined {
  const cands = KNOWN_BY_LENGTH[to - from];
  if (cands === undefined) return undefined;
  next: for (const cand of cands) {
    for (let i = 0; i < cand.length; i++) if ((text.charCodeAt(from + i) | 0x20) !== cand.charCodeAt(i)) continue next;
    return cand;
  }
  return undefined;
}

/** The lower-cased header name text[from, colon), or a BAD_HEADER error. */
function headerName(text: string, from: number, colon: number): string {
  let upper = false;
  for (let i = from; i < colon; i++) {
    const k = TCHAR[text.charCodeAt(i)];
    if (!k) throw new H1ParseError('BAD_HEADER', `invalid header name "${text.slice(from, Math.min(colon, from + 40))}"`);
    if (k === 2) upper = true;
  }
  const known = knownName(text, from, colon);
  if (known !== undefined) return known;
  const raw = text.slice(from, colon);
  return upper ? raw.toLowerCase() : raw;
}

/** text[from, to) without leading and trailing optional whitespace (SP, HTAB). */
function owsTrimmed(text: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === 0x20 || text.charCodeAt(a) === 0x09)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 0x20 || text.charCodeAt(b - 1) === 0x09)) b--;
  return text.slice(a, b);
}

const NO_LINES: readonly number[] = Object.freeze([]);

interface Fields {
  headers: string[];
  /** Ranges of the Connection and Keep-Alive lines (ResponseHead.connectionLines), or NO_LINES. */
  connectionLines: readonly number[];
  connection: string[];
  contentLength: number | undefined;
  /** Transfer-Encoding values joined, if any. */
  te: string | undefined;
  host: string | undefined;
  expectContinue: boolean;
  upgrade: string | undefined;
}

/** The header lines after the start line (which ends at `pos`); validates names and values and reads the framing headers. */
function fields(text: string, pos: number, limits: Limits): Fields {
  const headers: string[] = [];
  let connection: string[] = [];
  let contentLength: string | undefined;
  let te: string | undefined;
  let host: string | undefined;
  let hosts = 0;
  let expectContinue = false;
  let upgrade: string | undefined;
  let connectionLines: number[] | undefined;
  let count = 0;
  while (pos < text.length) {
    const from = pos + 2; // past the previous line's CRLF
    const to = lineEnd(text, from);
    pos = to;
    if (++count > limits.maxHeaders) throw new H1ParseError('TOO_MANY_HEADERS', `more than ${limits.maxHeaders} header fields`);
    const c0 = text.charCodeAt(from);
    if (c0 === 0x20 || c0 === 0x09) throw new H1ParseError('OBS_FOLD', 'obsolete line folding');
    const colon = text.indexOf(':', from);
    if (colon <= from || colon >= to) throw new H1ParseError('BAD_HEADER', 'header line without a name and colon');
    const name = headerName(text, from, colon);
    const value = owsTrimmed(text, colon + 1, to);
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
        (connectionLines ??= []).push(from, to + 2);
        break;
      case 'keep-alive':
        (connectionLines ??= []).push(from, to + 2);
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
    connectionLines: connectionLines ?? NO_LINES,
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
  const text = headText(buf, start, end);
  const eol = lineEnd(text, 0);
  const line = text.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) throw new H1ParseError('BAD_REQUEST_LINE', 'malformed request line');
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  if (!isToken(method)) throw new H1ParseError('BAD_REQUEST_LINE', 'invalid method');
  if (!TARGET.test(target)) throw new H1ParseError('BAD_REQUEST_LINE', 'invalid request target');
  const minor = version(line.slice(sp2 + 1));
  const f = fields(text, eol, limits);
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
  const text = headText(buf, start, end);
  const eol = lineEnd(text, 0);
  const line = text.slice(0, eol);
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) throw new H1ParseError('BAD_STATUS_LINE', 'malformed status line');
  const minor = version(line.slice(0, sp1));
  const code = line.slice(sp1 + 1, sp1 + 4);
  const after = line.charCodeAt(sp1 + 4);
  if (!STATUS.test(code) || !(Number.isNaN(after) || after === 0x20)) throw new H1ParseError('BAD_STATUS_LINE', 'invalid status code');
  const f = fields(text, eol, limits);
  let framing = lengthFraming(f.contentLength);
  if (f.te !== undefined) {
    // A response may carry other codings before chunked (gzip, chunked): its body is still
    // chunk-delimited. Without a final chunked, it runs until the server closes. The proxy
    // decodes no other coding, so they are kept for the head it may rebuild: dropped, the
    // client would take gzip-coded bytes for the payload. Plain "chunked", nearly every one,
    // is told apart without splitting.
    if (f.te.length === 7 && f.te.toLowerCase() === 'chunked') framing = CHUNKED;
    else {
      const codings = f.te.split(',').map((c) => c.trim()).filter((c) => c !== '');
      const chunked = codings.at(-1)?.toLowerCase() === 'chunked';
      if (chunked) codings.pop();
      framing = codedFraming(chunked ? 'chunked' : 'close', codings.length > 0 ? codings.join(', ') : undefined);
    }
  }
  const raw = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return { minor, status: Number(code), reason: line.slice(sp1 + 5), headers: f.headers, connection: f.connection, framing, size: end - start, raw, connectionLines: f.connectionLines };
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

/**
 * Whether an answer without a body passes on the Content-Length it states: a HEAD or 304
 * answer states the size of a body it does not carry, and any other answer with
 * Content-Length: 0 needs it to be delimited at all (without it, an HTTP/1.1 client reads to
 * the connection's end). A 204 has none (RFC 9110 §8.6). One rule for the three places that
 * relay answers: h1-forward, h1-over-h2 and orig-proto-server.
 */
export function bodilessKeepsLength(status: number): boolean {
  return status !== 204;
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
