// One upstream HTTP/1.1 connection (plain, or mTLS to a meshed peer) and the exchange running
// on it: the request head is written at once, the body as the caller feeds it, and the
// response is parsed head first, then its body tracked (or decoded) as it streams back. When
// the exchange ends cleanly and both sides allow it, the connection goes back to its pool.
import type { Socket } from 'node:net';
import { BodyReader, encodeChunk, lastChunk, type BodyEvents } from './body.js';
import { H1ParseError, UpstreamClosedError } from './errors.js';
import { findHeadEnd, keepAlive, parseResponseHead, responseFraming, type Framing, type Limits, type ResponseHead } from './head.js';

/** How the caller wants the response body: as framed on the wire, decoded, or not at all. */
export type BodyMode = 'raw' | 'payload' | 'discard';

export interface ExchangeHandlers {
  /** A 1xx other than 101 (100 Continue, 103 Early Hints). */
  informational(status: number, reason: string, headers: readonly string[]): void;
  /** The final response head; the answer says how body bytes are to be delivered. */
  response(head: ResponseHead, framing: Framing): BodyMode;
  /** Body bytes; false pauses the upstream until resumeResponse(). */
  body(chunk: Buffer): boolean;
  end(trailers: readonly string[]): void;
  /**
   * The exchange failed. `unsent`: the upstream said nothing at all, on a connection reused
   * from the pool (it may have closed it as we picked it): a bodiless request may go again.
   */
  error(err: Error, unsent: boolean): void;
  /** The bytes of one upstream read have all been handled (a held response head may go now). */
  readDone?(): void;
}

/** What a connection needs from its pool. */
export interface ConnectionOwner {
  release(conn: UpstreamConnection): void;
}

const EMPTY = Buffer.alloc(0);
/** Responses may carry large cookies: a bound of their own, well above a request's. */
export const RESPONSE_LIMITS: Limits = { maxHeadBytes: 64 * 1024, maxHeaders: 256 };

export class UpstreamConnection {
  /** Requests this connection has carried (0 while serving its first). */
  served = 0;
  /** When it last went idle (performance.now()), for the pool's sweep. */
  idleSince = 0;
  private exchange: Exchange | undefined;

  constructor(
    readonly socket: Socket,
    readonly key: string,
    private readonly owner: ConnectionOwner,
  ) {
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => {
      // Bytes while idle: the upstream is confused or hostile; never reuse it.
      if (this.exchange) this.exchange.onData(c);
      else socket.destroy();
    });
    socket.on('end', () => this.exchange?.onEnd());
    socket.on('close', () => this.exchange?.onClose());
  }

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  /**
   * Starts an exchange: writes the request head (and `body`, if the whole body is at hand).
   * `requestFraming` says how the request body is delimited; 'payload' writes from the caller
   * are chunk-encoded when it is chunked.
   */
  start(method: string, head: string | Buffer, requestFraming: Framing, handlers: ExchangeHandlers): Exchange {
    const ex = new Exchange(this, method, requestFraming, handlers);
    this.exchange = ex;
    if (typeof head === 'string') this.socket.write(head, 'latin1');
    else this.socket.write(head);
    return ex;
  }

  /** Called by the exchange when it is over: back to the pool, or closed. */
  finish(reusable: boolean): void {
    this.exchange = undefined;
    this.served++;
    if (reusable && !this.socket.destroyed) this.owner.release(this);
    else this.socket.destroy();
  }
}

export class Exchange {
  responseStarted = false;
  /** The request body has been sent completely. */
  requestDone: boolean;
  private buf: Buffer = EMPTY;
  private head: ResponseHead | undefined;
  private reader: BodyReader | undefined;
  private mode: BodyMode = 'raw';
  private readonly events: BodyEvents = {};
  private over = false;
  private paused = false;
  private gotBytes = false;

  constructor(
    private readonly conn: UpstreamConnection,
    private readonly method: string,
    private readonly requestFraming: Framing,
    private readonly handlers: ExchangeHandlers,
  ) {
    this.requestDone = requestFraming.kind === 'none';
  }

  /** Request body bytes as framed on the wire (forwarded as they arrived). */
  writeRaw(chunk: Buffer): boolean {
    return this.conn.socket.write(chunk);
  }

  /** Request payload bytes: chunk-encoded here when the request is chunked. */
  write(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    if (this.requestFraming.kind !== 'chunked') return this.conn.socket.write(chunk);
    let ok = true;
    this.conn.socket.cork();
    for (const part of encodeChunk(chunk)) ok = this.conn.socket.write(part);
    this.conn.socket.uncork();
    return ok;
  }

  /** The request body is complete (`raw`: its last chunk went through writeRaw). */
  endRequest(opts: { raw?: boolean; trailers?: readonly string[] } = {}): void {
    if (this.requestFraming.kind === 'chunked' && !opts.raw && !this.conn.socket.destroyed) this.conn.socket.write(lastChunk(opts.trailers), 'latin1');
    this.requestDone = true;
    if (this.reader?.done) this.complete();
  }

  /** Calls `fn` once the upstream socket can take more (request body backpressure). */
  onRequestDrain(fn: () => void): void {
    this.conn.socket.once('drain', fn);
  }

  pauseResponse(): void {
    if (!this.paused) {
      this.paused = true;
      this.conn.socket.pause();
    }
  }

  resumeResponse(): void {
    if (this.paused) {
      this.paused = false;
      this.conn.socket.resume();
    }
  }

  /** Gives up on the exchange (client gone, timeout): the connection is closed. */
  abort(): void {
    if (this.over) return;
    this.over = true;
    this.conn.finish(false);
  }

  // ---- from the connection ----
  onData(chunk: Buffer): void {
    if (this.over) return;
    this.gotBytes = true;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    try {
      this.process();
    } catch (err) {
      this.fail(err instanceof H1ParseError ? new UpstreamClosedError(`malformed response from the upstream: ${err.message}`, { cause: err }) : (err as Error));
    }
    this.handlers.readDone?.();
  }

  onEnd(): void {
    if (this.over) return;
    if (this.reader && this.reader.eof()) return this.finishBody();
    this.fail(new UpstreamClosedError(this.head ? 'the upstream closed the connection mid-response' : 'the upstream closed the connection before responding'));
  }

  onClose(): void {
    if (!this.over) this.fail(new UpstreamClosedError('the upstream connection closed'));
  }

  private process(): void {
    while (!this.over && this.buf.length > 0) {
      if (!this.head) {
        const end = findHeadEnd(this.buf, 0, RESPONSE_LIMITS.maxHeadBytes);
        if (end < 0) return;
        const head = parseResponseHead(this.buf, 0, end, RESPONSE_LIMITS);
        this.buf = end === this.buf.length ? EMPTY : this.buf.subarray(end);
        if (head.status >= 100 && head.status < 200 && head.status !== 101) {
          this.handlers.informational(head.status, head.reason, head.headers);
          continue;
        }
        this.head = head;
        this.responseStarted = true;
        const framing = responseFraming(head, this.method);
        this.reader = new BodyReader(framing);
        this.mode = this.handlers.response(head, framing);
        if (this.over) return;
        const deliver = (c: Buffer): void => {
          if (!this.handlers.body(c)) this.pauseResponse();
        };
        this.events.raw = this.mode === 'raw' ? deliver : undefined;
        this.events.data = this.mode === 'payload' ? deliver : undefined;
        if (this.reader.done) return this.finishBody();
        continue;
      }
      const reader = this.reader as BodyReader;
      const n = reader.feed(this.buf, 0, this.events);
      this.buf = n === this.buf.length ? EMPTY : this.buf.subarray(n);
      if (reader.done) return this.finishBody();
    }
  }

  private finishBody(): void {
    const head = this.head as ResponseHead;
    // The body is whole, so a pause for the client's backpressure holds nothing back any more;
    // a connection must not go back to the pool paused (its next exchange would wait for a
    // drain of this client, which never comes if the client left).
    this.resumeResponse();
    // Bytes after the response, or a response that ends the connection: not reusable.
    if (this.buf.length > 0 || !keepAlive(head) || head.status === 101 || (this.reader as BodyReader).framing.kind === 'close') {
      this.over = true;
      this.conn.finish(false);
    } else if (this.requestDone) this.complete();
    // Released before the caller hears of the end: the client's next request (pipelined, or on
    // a kept-alive connection) may want this very connection.
    this.handlers.end((this.reader as BodyReader).trailers);
  }

  private complete(): void {
    if (this.over) return;
    this.over = true;
    this.conn.finish(true);
  }

  private fail(err: Error): void {
    if (this.over) return;
    this.over = true;
    this.conn.finish(false);
    this.handlers.error(err, !this.gotBytes && this.conn.served > 0);
  }
}
