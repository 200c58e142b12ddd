// Finds accepted HTTP/2 sessions that nghttp2 has given up on, because Node 20 never says so.
//
// When a client commits a connection error (DATA on stream 0, a malformed SETTINGS, a frame
// over the size limit: most of h2spec), nghttp2 answers GOAWAY and from then on wants neither
// to read nor to write. Node then stops reading the socket and tells JavaScript nothing: no
// 'error', no 'goaway', no 'close'. The client's FIN is never read, so the socket sits in
// CLOSE_WAIT (and in tcp_open_connections) until the idle timeout, 300 s by default; a bare
// node:http2 server does the same.
//
// Such a session will not even send a PING, and that is the test: a session from which nothing
// has arrived for one interval is given a PING; if, with no write of ours in progress, not one
// byte has gone out for it by the next two ticks, nghttp2 is done with the session and it is
// destroyed. The answer is not awaited: a slow or vanished peer is not this probe's business
// (a FIN closes the session at once, silence ends at the idle timeout), so a slow reader whose
// PING waits behind its data is never cut. PINGs do not count towards the session's idle timeout
// (h2-idle.ts counts streams only).
import type { Socket } from 'node:net';
import type { Http2Session } from 'node:http2';

/** Quiet time before a PING, and the time between checks that it went out. */
export const PROBE_INTERVAL_MS = 10_000;

/**
 * Bytes libuv has not yet handed to the kernel. Node counts `bytesWritten` when a write is
 * submitted, and holds HTTP/2 frames back while a write is in progress: until this is 0, a
 * PING that has not gone out may just be waiting its turn.
 */
function queuedBytes(socket: Socket): number {
  return (socket as unknown as { _handle?: { writeQueueSize?: number } })._handle?.writeQueueSize ?? 0;
}

/** Watches `session` (on `socket`) until it closes; destroys both once nghttp2 has given up on it. */
export function probeLiveness(session: Http2Session, socket: Socket, intervalMs = PROBE_INTERVAL_MS): void {
  let lastRead = socket.bytesRead;
  /** bytesWritten when our PING was handed over; undefined: no probe out. */
  let pingFrom: number | undefined;
  let silentTicks = 0;
  const dead = (): void => {
    clearInterval(timer);
    session.destroy();
    socket.destroy();
  };
  const timer = setInterval(() => {
    if (session.destroyed) return clearInterval(timer);
    if (pingFrom === undefined) {
      const read = socket.bytesRead;
      if (read !== lastRead) {
        lastRead = read; // the client spoke: nothing to ask
        return;
      }
      pingFrom = socket.bytesWritten;
      silentTicks = 0;
      try {
        session.ping(() => {});
      } catch {
        dead(); // Node refuses to ping only a session that is already gone
      }
      return;
    }
    if (socket.bytesWritten !== pingFrom) {
      pingFrom = undefined; // it went out: nghttp2 still serves this session
      lastRead = socket.bytesRead;
      return;
    }
    if (queuedBytes(socket) > 0) return;
    // Two ticks, so that a PING released by a write that completed just before this tick is
    // not mistaken for one nghttp2 refused.
    if (++silentTicks >= 2) dead();
  }, intervalMs);
  timer.unref();
  session.once('close', () => clearInterval(timer));
}
