// An HTTP/2 (h2c prior knowledge) server that never listens: the detect layer hands it
// connections. Sessions are tracked so a graceful shutdown can send GOAWAY to each.
import type { Socket } from 'node:net';
import http2, { type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';

export interface H2ServerOptions {
  readonly maxHeaderBytes: number;
  readonly idleTimeoutMs: number;
}

export interface H2Server<T> {
  /** Hands a connection over; `tag` (the connection's context) is given back with each stream. */
  accept(socket: Socket, tag: T): void;
  /** GOAWAY to every session: in-flight streams finish, new ones go elsewhere. */
  drain(): void;
}

export function createH2Server<T>(
  opts: H2ServerOptions,
  onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, tag: T) => void,
): H2Server<T> {
  const sessions = new Set<Http2Session>();
  // session.socket is a proxy object, not the accepted socket, so the tag is attached to the
  // session instead: Node creates the session synchronously inside emit('connection').
  const tags = new WeakMap<Http2Session, T>();
  let pending: T | undefined;
  const server = http2.createServer({
    maxSessionMemory: 64,
    settings: { maxHeaderListSize: opts.maxHeaderBytes, maxConcurrentStreams: 1000, initialWindowSize: 1 << 20 },
  });
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    tags.set(s, pending as T);
    s.on('error', () => {}); // per-session errors end that session only
    s.once('close', () => sessions.delete(s));
    s.setTimeout(opts.idleTimeoutMs, () => s.close());
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number) => {
    onStream(stream, headers, flags, tags.get(stream.session as Http2Session) as T);
  });
  return {
    accept: (socket, tag) => {
      pending = tag;
      server.emit('connection', socket);
      pending = undefined;
    },
    drain: () => {
      for (const s of sessions) s.close();
    },
  };
}
