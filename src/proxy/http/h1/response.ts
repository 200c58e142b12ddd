// The response side of one downstream HTTP/1 exchange: writes the head the proxy decided on and
// the body (as it arrived from upstream, or re-framed), and tells the layers once how the
// exchange ended. The connection (server.ts) owns the socket and moves on to the next request
// when the response is finished.
import { http } from '../../../lib/builtins.js';
import type { Socket } from 'node:net';
import { encodeChunk, lastChunk } from './body.js';
import type { Framing } from './head.js';
import { headerLines, safeValue } from './headers.js';
import { PROXY_ERROR_HEADER } from '../proxy-error.js';

const STATUS_CODES = http.STATUS_CODES;
/** Body bytes copied behind a held head; a larger first chunk follows it in its own write. */
const COALESCE_MAX = 16 * 1024;
const CLOSE_LINE = Buffer.from('connection: close\r\n', 'latin1');

/**
 * `raw` (a head, CRLFCRLF included) without the [from, to) ranges in `drop` (ascending, whole
 * lines), with `connection: close` before its end when `close`: byte copies, no string.
 */
function spliceHead(raw: Buffer, drop: readonly number[], close: boolean): Buffer {
  let size = raw.length + (close ? CLOSE_LINE.length : 0);
  for (let i = 0; i < drop.length; i += 2) size -= (drop[i + 1] as number) - (drop[i] as number);
  const out = Buffer.allocUnsafe(size);
  const last = raw.length - 2; // the empty line's CRLF
  let at = 0;
  let from = 0;
  for (let i = 0; i < drop.length; i += 2) {
    at += raw.copy(out, at, from, drop[i] as number);
    from = drop[i + 1] as number;
  }
  at += raw.copy(out, at, from, last);
  if (close) at += CLOSE_LINE.copy(out, at);
  raw.copy(out, at, last);
  return out;
}

/** `a` and `b` side by side in one memory block: one view of both, no copy. */
function adjacent(a: Buffer, b: Buffer): Buffer | undefined {
  if (a.buffer !== b.buffer || a.byteOffset + a.length !== b.byteOffset) return undefined;
  return Buffer.from(a.buffer, a.byteOffset, a.length + b.length);
}

function uncork(socket: Socket): void {
  socket.uncork();
}

export type ResponseListener = (finished: boolean) => void;

/** What the connection learns from its response writer. */
export interface ResponseOwner {
  /** The response is complete; `close`: the connection must close after it. */
  finished(close: boolean): void;
}

export class H1Response {
  statusCode = 0;
  headersSent = false;
  finished = false;
  private framing: Framing = { kind: 'none' };
  private closeAfter = false;
  private ended = false;
  /** A head held by writeHead(…, held) until the first body bytes, the end, or flushHead(). */
  private pendingHead: string | Buffer | undefined;
  private readonly listeners: ResponseListener[] = [];

  constructor(
    readonly socket: Socket,
    /** The request's HTTP minor version (0: no chunked encoding towards this client). */
    readonly clientMinor: 0 | 1,
    /** The client asked for the connection to close, or the proxy is draining. */
    private closeRequested: boolean,
    private readonly owner: ResponseOwner,
  ) {}

  /** Called once, when the response finished (true) or the connection was lost first (false). */
  onClose(l: ResponseListener): void {
    if (this.ended) l(this.finished);
    else this.listeners.push(l);
  }

  /** The connection will close after this response (set before writeHead). */
  closeAfterResponse(): void {
    this.closeRequested = true;
  }

  /** 1xx (100 Continue, 103 Early Hints) ahead of the response. */
  writeInformational(status: number, reason: string, headers: readonly string[] = []): void {
    if (this.headersSent || this.socket.destroyed) return;
    this.socket.write(`HTTP/1.1 ${status} ${reason}\r\n${headerLines(headers)}\r\n`, 'latin1');
  }

  /**
   * Sends the head. `framing` says how the body will be delimited towards this client: the
   * Content-Length or Transfer-Encoding line is written here from it (callers pass end-to-end
   * headers only). A close-delimited body closes the connection after it.
   * `held`: the caller is about to write body bytes, end, or call flushHead() in this same
   * call stack (the forwarder, at the end of each upstream read), so the head waits and leaves
   * in one buffer with the first body bytes: no cork, no nextTick, one write.
   */
  writeHead(status: number, reason: string, headers: readonly string[], framing: Framing, held = false): boolean {
    if (this.headersSent) throw new Error('response head already sent');
    this.headersSent = true;
    this.statusCode = status;
    this.framing = framing;
    this.closeAfter = this.closeRequested || framing.kind === 'close';
    let head = `HTTP/1.1 ${status} ${reason || STATUS_CODES[status] || 'Unknown'}\r\n${headerLines(headers)}`;
    if (framing.kind === 'length') head += `content-length: ${framing.length}\r\n`;
    else if (framing.kind === 'chunked') head += framing.codings ? `transfer-encoding: ${framing.codings}, chunked\r\n` : 'transfer-encoding: chunked\r\n';
    else if (framing.kind === 'close' && framing.codings) head += `transfer-encoding: ${framing.codings}\r\n`;
    head += this.closeAfter ? 'connection: close\r\n\r\n' : '\r\n';
    return this.sendHead(head, held);
  }

  /**
   * Sends an upstream's head on as it came (`raw`), less the lines in `drop` (its Connection and
   * Keep-Alive lines), plus `connection: close` when this connection closes after it. The caller
   * has checked that nothing else in it is for one hop only and that the body keeps the framing
   * the head declares. `held` as for writeHead.
   */
  writeHeadAsIs(status: number, raw: Buffer, drop: readonly number[], framing: Framing, held = false): boolean {
    if (this.headersSent) throw new Error('response head already sent');
    this.headersSent = true;
    this.statusCode = status;
    this.framing = framing;
    this.closeAfter = this.closeRequested || framing.kind === 'close';
    return this.sendHead(drop.length > 0 || this.closeAfter ? spliceHead(raw, drop, this.closeAfter) : raw, held);
  }

  private sendHead(head: string | Buffer, held: boolean): boolean {
    if (held) {
      this.pendingHead = head;
      return true;
    }
    // The head and whatever body bytes follow in this tick leave in one writev: a write syscall
    // per piece was half of a hop's CPU time (profile of the HTTP/1 hop under wrk).
    this.socket.cork();
    process.nextTick(uncork, this.socket);
    return typeof head === 'string' ? this.socket.write(head, 'latin1') : this.socket.write(head);
  }

  /** Writes a held head now, if one waits (the forwarder's upstream read ended without body bytes). */
  flushHead(): void {
    const head = this.pendingHead;
    if (head === undefined) return;
    this.pendingHead = undefined;
    if (this.socket.destroyed) return;
    if (typeof head === 'string') this.socket.write(head, 'latin1');
    else this.socket.write(head);
  }

  /** Body bytes already framed as declared in writeHead (forwarded as they arrived). */
  writeRaw(chunk: Buffer): boolean {
    return this.socket.write(this.pendingHead === undefined ? chunk : this.withHead(chunk));
  }

  /** `chunk` behind the held head, in one buffer (a large chunk is written after it instead). */
  private withHead(chunk: Buffer): Buffer {
    const head = this.pendingHead as string | Buffer;
    // An upstream head passed on whole is usually still next to its body in the read buffer.
    const both = typeof head === 'string' ? undefined : adjacent(head, chunk);
    if (both) {
      this.pendingHead = undefined;
      return both;
    }
    if (chunk.length > COALESCE_MAX) {
      this.flushHead();
      return chunk;
    }
    this.pendingHead = undefined;
    const out = Buffer.allocUnsafe(head.length + chunk.length);
    if (typeof head === 'string') out.write(head, 0, 'latin1');
    else head.copy(out);
    chunk.copy(out, head.length);
    return out;
  }

  /** Payload bytes, framed here (a chunk when the declared framing is chunked). */
  write(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    if (this.framing.kind !== 'chunked') return this.writeRaw(chunk);
    this.flushHead();
    this.socket.cork();
    let ok = true;
    for (const part of encodeChunk(chunk)) ok = this.socket.write(part);
    this.socket.uncork();
    return ok;
  }

  /**
   * The body is complete. `trailers` (payload mode with chunked framing) go in the last chunk;
   * `raw` means the last chunk already went through writeRaw.
   */
  end(opts: { raw?: boolean; trailers?: readonly string[] } = {}): void {
    if (this.finished || this.socket.destroyed) return;
    this.flushHead();
    if (this.framing.kind === 'chunked' && !opts.raw) this.socket.write(lastChunk(opts.trailers), 'latin1');
    this.finished = true;
    this.owner.finished(this.closeAfter);
    this.settle();
  }

  /** A complete response made by the proxy itself (errors), naming why in weft-proxy-error. */
  respondError(status: number, reason: string, why: string): void {
    const body = Buffer.from(`${why}\n`, 'utf8');
    this.writeHead(status, reason, ['content-type', 'text/plain; charset=utf-8', PROXY_ERROR_HEADER, safeValue(why)], { kind: 'length', length: body.length });
    this.socket.write(body);
    this.end();
  }

  /** The exchange cannot be completed honestly: cut the connection. */
  destroy(): void {
    this.socket.destroy();
    this.settle();
  }

  /** The connection closed; if the response was not finished, listeners learn it failed. */
  connectionLost(): void {
    this.settle();
  }

  private settle(): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.listeners.splice(0)) l(this.finished);
  }
}
