// One downstream HTTP/1.1 connection, served by the proxy's own engine instead of node:http
// (why: see head.ts). It reads request heads, hands each request to the handler chain, feeds
// the body to whichever sink the chain attaches, and parses the next head only when the
// response is finished, so pipelined requests are answered in order. Bad input is answered at
// this edge and the connection released: 431 (head too large, too many fields), 400
// (malformed, including every smuggling shape head.ts refuses), 505, and 408 for a client too
// slow to send its head — each with weft-proxy-error, each counted as a limit hit.
// Upgrade and CONNECT requests leave the engine: the socket is handed over with the bytes that
// followed the head.
import type { Socket } from 'node:net';
import type { Logger } from '../../../lib/log.js';
import { BodyReader, type BodyEvents } from './body.js';
import { H1ParseError } from './errors.js';
import { findHeadEnd, keepAlive, parseRequestHead, type Limits } from './head.js';
import { H1Request, type BodySink, type BodySource } from './request.js';
import { H1Response, type ResponseOwner } from './response.js';
import { PROXY_ERROR_HEADER } from '../proxy-error.js';

export interface H1ServerOptions extends Limits {
  /** A head must be complete this long after its first byte (slowloris bound). */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long without a new request. */
  readonly keepAliveTimeoutMs: number;
  /**
   * No bytes either way for this long while the proxy waits on the client (a request body
   * that stopped coming, a response the client stopped reading): the connection is cut. A
   * wait on the upstream (a long poll) is not the client's idleness: see onIdle.
   */
  readonly idleTimeoutMs: number;
  readonly onLimit: (limit: string) => void;
  readonly log: Logger;
}

export interface H1Handlers {
  request(req: H1Request, res: H1Response): void;
  /** Upgrade or CONNECT: the socket leaves the engine, with the bytes after the head. */
  tunnel(req: H1Request, socket: Socket, rest: Buffer): void;
}

const enum S {
  Head,
  Body,
  /** The request is complete; its response is not. */
  Wait,
  Closed,
}

const EMPTY = Buffer.alloc(0);
const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 505: 'HTTP Version Not Supported' };
const LIMIT_NAMES: Record<string, string> = { HEAD_TOO_LARGE: 'http1_header_bytes', TOO_MANY_HEADERS: 'http1_header_count' };

export class H1ServerConnection implements BodySource, ResponseOwner {
  private buf: Buffer = EMPTY;
  private state = S.Head;
  private reader: BodyReader | undefined;
  private sink: BodySink | undefined;
  private discarding = false;
  private res: H1Response | undefined;
  private clientEnded = false;
  private draining = false;
  private paused = false;
  /** Which wait the connection is in: the matching timer's firing means something. */
  private timerKind: 'keepalive' | 'headers' | 'none' = 'none';
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private headersTimer: NodeJS.Timeout | undefined;
  private readonly events: BodyEvents = {};
  private blocked = false;
  private inLoop = false;

  constructor(
    private readonly socket: Socket,
    private readonly opts: H1ServerOptions,
    private readonly handlers: H1Handlers,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', () => {}); // surfaces as 'close'
    socket.setTimeout(opts.idleTimeoutMs, this.onIdle);
    this.waitForHead();
  }

  /** Stop keeping the connection alive: close it now if idle, else after this response. */
  drain(): void {
    this.draining = true;
    if (this.state === S.Head && this.buf.length === 0) this.close();
    else this.res?.closeAfterResponse();
  }

  // ---- BodySource (used by H1Request) ----
  attach(sink: BodySink): void {
    this.sink = sink;
    this.events.raw = sink.mode === 'raw' ? (c) => void (sink.write(c) || (this.blocked = true)) : undefined;
    this.events.data = sink.mode === 'payload' ? (c) => void (sink.write(c) || (this.blocked = true)) : undefined;
    if (this.state !== S.Body) {
      if (this.state !== S.Closed) sink.end(this.reader?.trailers ?? []);
      return;
    }
    this.resume();
  }

  pause(): void {
    this.blocked = true;
    this.pauseSocket();
  }

  resume(): void {
    this.blocked = false;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.process();
  }

  bodyComplete(): boolean {
    return this.reader?.done ?? true;
  }

  discard(): void {
    this.discarding = true;
    this.events.raw = undefined;
    this.events.data = undefined;
    this.resume();
  }

  // ---- socket events ----
  private readonly onData = (chunk: Buffer): void => {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.process();
  };

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    if (this.state === S.Head && !this.res) return this.close();
    // A client that closes its side mid-exchange is taken to be gone, as hyper (Linkerd's
    // HTTP/1 server) does by default: the exchange is cancelled, the upstream released.
    if (this.state === S.Body) this.sink?.abort(new H1ParseError('BAD_FRAMING', 'client closed during the request body'));
    this.state = S.Closed;
    this.socket.destroy();
  };

  private readonly onClose = (): void => {
    const was = this.state;
    this.state = S.Closed;
    clearTimeout(this.keepAliveTimer);
    clearTimeout(this.headersTimer);
    if (was === S.Body) this.sink?.abort(new Error('client connection closed'));
    this.res?.connectionLost();
  };

  /**
   * No bytes either way for the idle timeout. Cut the connection if the proxy was waiting on
   * the client; keep it if it was waiting on the upstream: the request is all sent (or its
   * reading is paused because the upstream takes no more) and nothing is queued for the client
   * — a long poll, or a server-sent event stream between events — and look again one idle
   * timeout later (Node's socket timer fires once, its listener is a once-listener), so an
   * exchange that then stalls on the client is cut in its turn. Before, a quiet long poll was
   * cut after the idle timeout where hyper-based proxies (Linkerd) keep it; a route's timeout
   * is what bounds a slow upstream.
   */
  private readonly onIdle = (): void => {
    if (this.state === S.Closed) return;
    const waitingOnUpstream = (this.state === S.Wait || (this.state === S.Body && this.paused)) && this.socket.writableLength === 0;
    if (waitingOnUpstream) this.socket.setTimeout(this.opts.idleTimeoutMs, this.onIdle);
    else this.socket.destroy();
  };

  // ---- the loop ----
  private process(): void {
    // A response finished synchronously inside the handler re-enters here: the running loop
    // picks the new state up.
    if (this.inLoop) return;
    this.inLoop = true;
    try {
      for (;;) {
        if (this.state === S.Head) {
          if (!this.nextHead()) return;
        } else if (this.state === S.Body) {
          if (!this.feedBody()) return;
        } else {
          // S.Wait: pipelined bytes wait for the response; bound them.
          if (this.state === S.Wait && this.buf.length > this.opts.maxHeadBytes) this.pauseSocket();
          return;
        }
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.inLoop = false;
    }
  }

  /** Parses and dispatches the next request; false when more bytes are needed. */
  private nextHead(): boolean {
    if (this.buf.length === 0) {
      if (this.clientEnded) this.close();
      return false;
    }
    const end = findHeadEnd(this.buf, 0, this.opts.maxHeadBytes);
    if (end < 0) {
      // The head's first bytes are here, not all of it: from now on it has headersTimeoutMs.
      // (A head that arrives whole, nearly every one, never touches the timer.)
      if (this.timerKind !== 'headers') this.arm('headers');
      return false;
    }
    const head = parseRequestHead(this.buf, 0, end, this.opts);
    const rawHead = end === this.buf.length ? this.buf : this.buf.subarray(0, end);
    this.buf = end === this.buf.length ? EMPTY : this.buf.subarray(end);
    this.arm('none');
    this.reader = new BodyReader(head.framing);
    this.sink = undefined;
    this.discarding = false;
    this.blocked = false;
    const req = new H1Request(head, rawHead, this.socket, this);
    if (head.method === 'CONNECT' || head.upgrade !== undefined) {
      this.detach();
      const rest = this.buf;
      this.buf = EMPTY;
      this.handlers.tunnel(req, this.socket, rest);
      return false;
    }
    const res = new H1Response(this.socket, head.minor, this.draining || !keepAlive(head), this);
    this.res = res;
    this.state = this.reader.done ? S.Wait : S.Body;
    this.handlers.request(req, res);
    // The handler may have answered (and finished) already: go on with whatever state that left.
    const now = this.state as S;
    return now === S.Body || now === S.Head;
  }

  /** Feeds buffered body bytes to the sink; false when blocked or out of bytes. */
  private feedBody(): boolean {
    const reader = this.reader as BodyReader;
    if (!this.sink && !this.discarding) {
      // Nobody reads the body yet: hold what we have and stop reading.
      if (this.buf.length > 0) this.pauseSocket();
      return false;
    }
    if (this.buf.length === 0 || this.blocked) return false;
    const n = reader.feed(this.buf, 0, this.events);
    this.buf = n === this.buf.length ? EMPTY : this.buf.subarray(n);
    if (reader.done) {
      this.state = S.Wait;
      this.sink?.end(reader.trailers);
      return this.res?.finished === true;
    }
    if (this.blocked) this.pauseSocket();
    return false;
  }

  // ---- ResponseOwner (used by H1Response) ----
  finished(close: boolean): void {
    this.res = undefined;
    if (this.state === S.Closed) return;
    if (this.state === S.Body) {
      // Answered before the request body was read: the next request's start is unknown.
      this.sink?.abort(new Error('response sent before the request body ended'));
      this.close();
      return;
    }
    if (close || this.draining || this.clientEnded) {
      this.close();
      return;
    }
    this.state = S.Head;
    this.reader = undefined;
    this.sink = undefined;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.waitForHead();
    this.process();
  }

  private waitForHead(): void {
    if (this.buf.length === 0) this.arm('keepalive');
  }

  /**
   * Enters a wait. Each kind has one timer per connection, re-armed with refresh() (no timer
   * object per request); leaving a wait only changes timerKind, and a timer that fires for a
   * wait already left does nothing.
   */
  private arm(kind: 'keepalive' | 'headers' | 'none'): void {
    this.timerKind = kind;
    if (kind === 'keepalive') {
      if (this.keepAliveTimer) this.keepAliveTimer.refresh();
      else this.keepAliveTimer = setTimeout(() => this.onTimer('keepalive'), this.opts.keepAliveTimeoutMs).unref();
    } else if (kind === 'headers') {
      if (this.headersTimer) this.headersTimer.refresh();
      else this.headersTimer = setTimeout(() => this.onTimer('headers'), this.opts.headersTimeoutMs).unref();
    }
  }

  private onTimer(kind: 'keepalive' | 'headers'): void {
    if (this.state !== S.Head || this.timerKind !== kind) return;
    if (kind === 'keepalive') return this.close();
    this.opts.onLimit('http1_headers_timeout');
    this.rawError(408, 'client did not send request headers in time');
  }

  private fail(err: unknown): void {
    if (err instanceof H1ParseError) {
      const limit = LIMIT_NAMES[err.reason];
      this.opts.onLimit(limit ?? 'http1_malformed');
      this.opts.log.debug('malformed request', { reason: err.reason, err });
      if (this.state === S.Head) return this.rawError(err.status, `malformed request: ${err.message}`, err.status !== 400);
      // Bad body framing: the request can't be completed; answer if nothing was sent yet.
      this.sink?.abort(err);
      if (this.res && !this.res.headersSent) this.res.respondError(400, 'Bad Request', `malformed request body: ${err.message}`);
      return this.close();
    }
    throw err;
  }

  /** The proxy's own error response on a connection that is then closed. */
  private rawError(status: number, why: string, plainWhy = false): void {
    this.state = S.Closed;
    this.arm('none');
    const reason = plainWhy && status === 431 ? 'request header block too large' : why;
    if (this.socket.writable) {
      this.socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n${PROXY_ERROR_HEADER}: ${reason.replace(/[^\x20-\x7e]/g, ' ').slice(0, 256)}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    }
    // end() flushes the answer; make sure the socket goes even if the peer never reads.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private pauseSocket(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private detach(): void {
    this.state = S.Closed;
    this.arm('none');
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onClose);
    this.socket.setTimeout(0);
    this.socket.pause();
  }

  private close(): void {
    this.state = S.Closed;
    this.arm('none');
    if (!this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  }
}
