// Holding back an HTTP/2 response until its retry decision can be made. A gRPC call's outcome
// is in its trailers (grpc-status after a 200 and the messages), so on a route that may retry
// a gRPC response is held — headers, DATA and all — until its trailers arrive, and only then
// relayed or dropped for another attempt. What is held is bounded: past the retry buffer the
// response is committed (relayed as it stands and streamed on), and that request is not
// retried. Routes without a retry policy never hold anything.
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';

export interface HeldResponse {
  readonly headers: IncomingHttpHeaders;
  readonly chunks: Buffer[];
  bytes: number;
  /** The upstream's trailers, once they came (the decision point). */
  trailers: IncomingHttpHeaders | undefined;
  /** The upstream stream has ended (everything is held). */
  ended: boolean;
}

export interface HoldHandlers {
  /** Trailers (or the end) arrived within the bound: decide now. */
  decide(held: HeldResponse): void;
  /** The body outgrew the bound before its trailers: relay what is held and stream the rest. */
  overflow(held: HeldResponse): void;
}

/** Reads `up`'s response body into memory until trailers/end, or until it exceeds `limit` bytes. */
export function holdResponse(up: ClientHttp2Stream, headers: IncomingHttpHeaders, limit: number, on: HoldHandlers): HeldResponse {
  const held: HeldResponse = { headers, chunks: [], bytes: 0, trailers: undefined, ended: false };
  let over = false;
  const stop = (): void => {
    over = true;
    up.off('data', onData);
    up.off('trailers', onTrailers);
    up.off('end', onEnd);
  };
  const onData = (c: Buffer): void => {
    if (over) return;
    held.chunks.push(c);
    held.bytes += c.length;
    if (held.bytes > limit) {
      stop();
      up.pause();
      on.overflow(held);
    }
  };
  const onTrailers = (t: IncomingHttpHeaders): void => {
    held.trailers = t;
  };
  const onEnd = (): void => {
    if (over) return;
    held.ended = true;
    stop();
    on.decide(held);
  };
  up.on('data', onData);
  up.on('trailers', onTrailers);
  up.on('end', onEnd);
  return held;
}
