// A PING probe for accepted HTTP/2 sessions that have gone quiet, because Node 20 cannot be
// trusted to notice a dead one by itself.
//
// When a client commits a connection error (DATA on stream 0, a malformed SETTINGS, a bad
// preface: most of h2spec), nghttp2 answers GOAWAY and from then on wants neither to read nor
// to write. Node then stops reading the socket and never tells JavaScript: no 'error', no
// 'goaway', no 'close'. The client's FIN is never read, so the socket sits in CLOSE_WAIT (and in
// tcp_open_connections) until the idle timeout, 300 s by default; a bare node:http2 server does
// the same. Such a session cannot answer a PING either, which is what this probe asks: a
// session from which nothing has arrived for one interval gets a PING, and one whose PING is
// still unanswered at the next tick is destroyed. A live client answers in its HTTP/2 stack
// without its application's help; pings we send do not reset the session's idle timer (Node
// refreshes it on the client's traffic and stream activity only), so idle sessions still end
// at the idle timeout.
import type { Socket } from 'node:net';
import type { Http2Session } from 'node:http2';

/** Quiet time before a PING, and then the time the client has to answer it. */
export const PROBE_INTERVAL_MS = 10_000;

/** Watches `session` (on `socket`) until it closes; destroys both when a PING goes unanswered. */
export function probeLiveness(session: Http2Session, socket: Socket, intervalMs = PROBE_INTERVAL_MS): void {
  let lastRead = socket.bytesRead;
  let unanswered = false;
  const dead = (): void => {
    clearInterval(timer);
    session.destroy();
    socket.destroy();
  };
  const timer = setInterval(() => {
    if (session.destroyed) return clearInterval(timer);
    if (unanswered) return dead();
    const read = socket.bytesRead;
    if (read !== lastRead) {
      lastRead = read; // the client spoke: alive
      return;
    }
    unanswered = true;
    try {
      session.ping((err) => {
        if (!err) unanswered = false;
      });
    } catch {
      dead(); // Node refuses to ping only a session that is already gone
    }
  }, intervalMs);
  timer.unref();
  session.once('close', () => clearInterval(timer));
}
