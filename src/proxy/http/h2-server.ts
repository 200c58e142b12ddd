// An HTTP/2 (h2c prior knowledge) server that never listens: the detect layer hands it
// connections. Sessions are tracked so a graceful shutdown can send GOAWAY to each.
//
// Each session carries its connection's tag (context) in a closure: Node emits a stream
// asynchronously (next tick), and a stream reset in the same read (HEADERS + RST_STREAM, the
// rapid-reset shape) is already destroyed by then — `stream.session` is undefined — so
// nothing here looks the tag up through the stream. Streams that died before their handler
// ran are dropped without a handler.
import type { Socket } from 'node:net';
import http2, { type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { reclaimMemorySoon } from '../memory-reclaim.js';
import type { FaultGuard } from '../guard.js';
import { probeLiveness } from './h2-liveness.js';
import { watchIdle } from './h2-idle.js';

/** Per-session HTTP/2 limits, from the proxy's config (WEFT_PROXY_H2_*). */
export interface H2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once. */
  readonly maxConcurrentStreams: number;
  /** Client resets allowed in a burst, then per second, before GOAWAY (the reset budget). */
  readonly resetBurst: number;
  readonly resetsPerSecond: number;
  /** nghttp2's bound on a session's buffered memory, in MB: above it new streams are refused. */
  readonly maxSessionMemoryMb: number;
}

export interface H2ServerOptions {
  readonly h2: H2Limits;
  /** Header list size: advertised in SETTINGS and enforced by nghttp2 (RST_STREAM ENHANCE_YOUR_CALM). */
  readonly maxHeaderBytes: number;
  /** Header fields per request, enforced likewise (Node's maxHeaderListPairs). */
  readonly maxHeaderCount: number;
  readonly idleTimeoutMs: number;
  /** A session that has opened no stream this long after it started is sent GOAWAY (slowloris). */
  readonly headersTimeoutMs: number;
  readonly guard: FaultGuard;
  /** Called when a limit closes a session (for the limit-hit counter). */
  readonly onLimit: (limit: H2SessionLimit) => void;
  /** Quiet time before a session is sent a PING (h2-liveness.ts); tests shorten it. */
  readonly probeIntervalMs?: number;
}

export interface H2Server<T> {
  /** Hands a connection over; `tag` (the connection's context) is given back with each stream. */
  accept(socket: Socket, tag: T): void;
  /** GOAWAY to every session: in-flight streams finish, new ones go elsewhere. */
  drain(): void;
}

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** Limits that close a whole session, as counted in proxy_limit_hits_total{limit}. */
export type H2SessionLimit = 'h2_reset_flood' | 'h2_control_flood' | 'h2_continuation_flood' | 'h2_headers_timeout';

/**
 * nghttp2's own flood defences end the session with an error whose text is all Node passes on:
 * a flood of frames it must answer (SETTINGS, PING: more than 1000 answers queued unread) and
 * a header block split into more than 8 CONTINUATION frames (CVE-2024-27316). Named here so
 * they are counted; the session is already closed by then.
 */
function floodLimit(err: unknown): H2SessionLimit | undefined {
  const msg = err instanceof Error ? err.message : '';
  if (msg.includes('Flooding was detected')) return 'h2_control_flood';
  if (msg.includes('CONTINUATION')) return 'h2_continuation_flood';
  return undefined;
}

/*
 * The reset budget (H2Limits.resetBurst, resetsPerSecond: 500, then 30 a second by default):
 * streams the client may reset before its session is closed with GOAWAY(ENHANCE_YOUR_CALM), the
 * rapid-reset defence (CVE-2023-44487). It must trip before nghttp2's own limit (a burst of
 * 1000, then 33/s), because when nghttp2 trips it sends GOAWAY and stops reading, and Node 20
 * never closes that session: the socket would sit in CLOSE_WAIT with unread bytes until the idle
 * timeout. A client that cancels a few streams a second (gRPC deadlines, browsers navigating
 * away) never comes near it.
 */

/** Streams this proxy reset itself: they do not count against the client's reset budget. */
const localResets = new WeakSet<ServerHttp2Stream>();

/** Resets a downstream stream (RST_STREAM with `code`) as the proxy's own decision. */
export function resetStream(stream: ServerHttp2Stream, code: number): void {
  localResets.add(stream);
  stream.close(code);
}

/** How long a closed session's peer has to close its side before the socket is cut. */
export const HANG_UP_GRACE_MS = 1000;

/**
 * After a session we closed has said GOAWAY, Node ends the socket and then waits for the peer's
 * FIN, for ever: a peer that never closes would keep the socket. Cut it after a grace period.
 */
function hangUp(socket: Socket): void {
  setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS).unref();
}

/** A token bucket of client resets for one session. */
class ResetBudget {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly burst: number, private readonly perSecond: number) {
    this.tokens = burst;
  }
  /** Spends one reset; false once the client has reset more than the budget allows. */
  spend(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0;
  }
}

export function createH2Server<T>(
  opts: H2ServerOptions,
  onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, tag: T) => void,
): H2Server<T> {
  const sessions = new Set<Http2Session>();
  // Node creates the session synchronously inside emit('connection'), so 'session' sees the
  // tag of the connection being handed over.
  let pending: { tag: T; socket: Socket } | undefined;
  const server = http2.createServer({
    maxSessionMemory: opts.h2.maxSessionMemoryMb,
    // Pseudo-headers (:method, :scheme, :authority, :path, :protocol) count as pairs too.
    maxHeaderListPairs: opts.maxHeaderCount + 5,
    settings: { maxHeaderListSize: opts.maxHeaderBytes, maxConcurrentStreams: opts.h2.maxConcurrentStreams, initialWindowSize: 1 << 20 },
  });
  server.on('session', (s: Http2Session) => {
    if (!pending) {
      s.destroy();
      return;
    }
    const { tag, socket } = pending;
    sessions.add(s);
    // Per-session errors end that session only.
    s.on('error', (err) => {
      const limit = floodLimit(err);
      if (!limit) return;
      opts.onLimit(limit);
      reclaimMemorySoon();
    });
    s.once('close', () => sessions.delete(s));
    const idle = watchIdle(s, opts.idleTimeoutMs, () => {
      s.close();
      hangUp(socket);
    });
    // A session nghttp2 gave up on (a client's connection error) says nothing to us: ask it.
    probeLiveness(s, socket, opts.probeIntervalMs);
    // Slowloris: a client that trickles an unfinished header block keeps the session active,
    // so the idle timeout never fires. A session must open its first stream within the headers
    // timeout, as an HTTP/1 client must send its first head; later ones are bounded by the idle
    // timeout and the PING probe.
    const firstStream = setTimeout(() => {
      if (s.destroyed) return;
      opts.onLimit('h2_headers_timeout');
      s.goaway(NGHTTP2_ENHANCE_YOUR_CALM);
      setImmediate(() => s.destroy());
      hangUp(socket);
    }, opts.headersTimeoutMs);
    firstStream.unref();
    s.once('close', () => clearTimeout(firstStream));
    s.once('stream', () => clearTimeout(firstStream));
    const budget = new ResetBudget(opts.h2.resetBurst, opts.h2.resetsPerSecond);
    let calmed = false;
    const clientReset = (): void => {
      if (budget.spend() || calmed) return;
      calmed = true;
      opts.onLimit('h2_reset_flood');
      reclaimMemorySoon();
      // On Node 24 nghttp2's own reset limit may have closed the session already, while it
      // parsed the flood and before these 'close' events came: counted all the same.
      if (s.destroyed) return;
      s.goaway(NGHTTP2_ENHANCE_YOUR_CALM);
      setImmediate(() => s.destroy());
      hangUp(socket);
    };
    s.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number) => {
      // Reset before we got to it: nothing to serve, but it counts against the client.
      if (stream.destroyed || stream.closed) {
        idle?.touched();
        return clientReset();
      }
      idle?.opened();
      stream.once('close', () => {
        idle?.closed();
        if (stream.rstCode && !localResets.has(stream)) clientReset();
      });
      opts.guard.run(
        'h2_stream',
        () => onStream(stream, headers, flags, tag),
        () => {
          stream.on('error', () => {}); // the handler may have thrown before it listened
          if (!stream.destroyed) resetStream(stream, NGHTTP2_INTERNAL_ERROR);
        },
      );
    });
  });
  return {
    accept: (socket, tag) => {
      // HTTP/2 has no half-closed connections: a client's FIN ends the session. Without this a
      // socket accepted with allowHalfOpen stays in CLOSE_WAIT until the idle timeout.
      socket.allowHalfOpen = false;
      pending = { tag, socket };
      try {
        server.emit('connection', socket);
      } finally {
        pending = undefined;
      }
      // The client may have half-closed already (before the hand-over).
      if (socket.readableEnded && !socket.destroyed) socket.destroy();
    },
    drain: () => {
      for (const s of sessions) s.close();
    },
  };
}
