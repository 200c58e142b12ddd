// Keeps the HTTP/2 session pool honest about its peers. A session to a peer that went away
// must leave the pool, or every request sent on it waits for a timeout:
// - over mTLS (meshed), Node 20's HTTP/2 session does not notice that its TLS socket closed
//   (a killed peer proxy's FIN or RST): the socket's own 'close'/'end' destroys the session;
// - a peer gone silently (partition, a host that vanished without a RST) answers nothing: a
//   PING every interval, unanswered within the timeout, destroys the session.
// Destroyed sessions leave the pool (h2-pool.ts drops them on 'close'), so the next request
// connects anew.
import type { ClientHttp2Session } from 'node:http2';
import type { Duplex } from 'node:stream';

/** As Linkerd's HTTP/2 keepalive for meshed connections: a PING every 10 s... */
export const CLIENT_PING_INTERVAL_MS = 10_000;
/** ...answered within 5 s, or the session is dropped. */
export const CLIENT_PING_TIMEOUT_MS = 5_000;

export interface ClientLivenessOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

/** Destroys `session` when `socket` (the transport it runs over, when we hold it) closes. */
export function closeWithSocket(session: ClientHttp2Session, socket: Duplex): void {
  const gone = (): void => {
    if (!session.destroyed) session.destroy();
  };
  socket.once('close', gone);
  socket.once('end', gone);
  session.once('close', () => {
    socket.off('close', gone);
    socket.off('end', gone);
  });
}

/** PINGs `session` every interval; no answer within the timeout destroys it. */
export function pingLiveness(session: ClientHttp2Session, opts: ClientLivenessOptions = {}): void {
  const intervalMs = opts.intervalMs ?? CLIENT_PING_INTERVAL_MS;
  const timeoutMs = opts.timeoutMs ?? CLIENT_PING_TIMEOUT_MS;
  let waiting: NodeJS.Timeout | undefined;
  const timer = setInterval(() => {
    if (session.destroyed || session.closed) return stop();
    if (waiting) return; // the last PING is still out
    waiting = setTimeout(() => {
      stop();
      session.destroy(new Error(`no PING answer from the peer within ${timeoutMs} ms`));
    }, timeoutMs);
    waiting.unref();
    try {
      session.ping((err) => {
        clearTimeout(waiting);
        waiting = undefined;
        if (err && !session.destroyed) session.destroy();
      });
    } catch {
      stop();
      session.destroy();
    }
  }, intervalMs);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    clearTimeout(waiting);
  };
  session.once('close', stop);
}
