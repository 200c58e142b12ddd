// The idle timeout of an HTTP/2 session, counted in streams rather than frames.
//
// Node's own `session.setTimeout` refreshes its timer on every frame and stream event, and each
// refresh reads libuv's clock and moves the timer in its list: several times per request, on
// both the downstream and the upstream session. Turning both off cut the CPU of an h2c or gRPC
// hop by ~8-10% (A/B, 11 of 14 rounds; bench/RESULTS.md). So a session here is idle when it has
// had no open stream for the whole timeout (as h2o counts it), checked by one coarse timer per
// session, and a request costs a counter and a flag, no clock.
//
// What counts: a stream opened, open or closed. What does not: PINGs (ours or the peer's),
// SETTINGS, WINDOW_UPDATE, and a header block that trickles in without ever ending (a slowloris
// on a later stream; nghttp2 shows JavaScript no stream until the block is complete). One
// difference from Node's timer: a stream that is open but silent (a quiet gRPC watch) keeps its
// session; a peer that vanished under it is found by TCP (user timeout, keep-alive) and the
// PING probes, not by this timeout.
import type { Http2Session, Http2Stream } from 'node:http2';

/** The longest time between checks: a session closes at most this late after its timeout. */
const MAX_CHECK_MS = 5000;

export class IdleWatch {
  private open = 0;
  /** A stream opened or closed since the last check. */
  private active = true;
  private quietChecks = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly checksToIdle: number;

  constructor(session: Http2Session, idleMs: number, onIdle: () => void) {
    const every = Math.max(1, Math.min(MAX_CHECK_MS, Math.floor(idleMs / 4)));
    this.checksToIdle = Math.ceil(idleMs / every);
    this.timer = setInterval(() => {
      if (session.destroyed) return this.stop();
      if (this.open > 0 || this.active) {
        this.active = false;
        this.quietChecks = 0;
        return;
      }
      if (++this.quietChecks < this.checksToIdle) return;
      this.stop();
      onIdle();
    }, every);
    this.timer.unref();
    session.once('close', () => this.stop());
  }

  /** A stream opened: the caller must call `closed()` when it closes. */
  opened(): void {
    this.open++;
    this.active = true;
  }

  closed(): void {
    this.open--;
    this.active = true;
  }

  /** A stream that came and went before it was served (a client's reset) still counts. */
  touched(): void {
    this.active = true;
  }

  private stop(): void {
    clearInterval(this.timer);
  }
}

const watches = new WeakMap<Http2Session, IdleWatch>();

/**
 * Calls `onIdle` once `session` has had no open stream for `idleMs` (give or take a quarter of
 * it, at most 5 s). Streams are counted by `streamOpened`, which the code that opens or accepts
 * them must call.
 */
export function watchIdle(session: Http2Session, idleMs: number, onIdle: () => void): IdleWatch | undefined {
  if (idleMs <= 0) return undefined;
  const watch = new IdleWatch(session, idleMs, onIdle);
  watches.set(session, watch);
  return watch;
}

/** Counts `stream` as open on `session` until it closes (nothing if the session is not watched). */
export function streamOpened(session: Http2Session, stream: Http2Stream): void {
  const watch = watches.get(session);
  if (!watch) return;
  watch.opened();
  stream.once('close', () => watch.closed());
}
