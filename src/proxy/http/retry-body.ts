// What a retry needs to send a request again: a copy of its body, kept only while it fits the
// retry buffer (64 KiB by default, as Linkerd's). A body that outgrows the buffer is dropped
// from it at once, and that request is never sent again; a request whose route has no retry
// policy keeps nothing (the forward layers create a ReplayBody only when `route.retry` is set).
import type { OutgoingHttpHeaders } from 'node:http2';

/** Linkerd's limit on a body kept for a retry. */
export const DEFAULT_RETRY_BUFFER_BYTES = 64 * 1024;

/**
 * A hard ceiling on attempts per request, whatever the route says: the budget (or the route's
 * own limit, checked in its `retry`) normally stops retries long before this.
 */
export const MAX_ATTEMPTS = 10;

/** Options the forward layers share. */
export interface ForwardOptions {
  /** Request (and held gRPC response) bytes kept for a retry; 0 disables retries of bodies. */
  readonly retryBufferBytes: number;
}

export const DEFAULT_FORWARD_OPTIONS: ForwardOptions = Object.freeze({ retryBufferBytes: DEFAULT_RETRY_BUFFER_BYTES });

export class ReplayBody {
  /** The body so far; undefined once it outgrew the limit. */
  private kept: Buffer[] | undefined = [];
  private size = 0;
  /** The whole body has been received from the client. */
  complete = false;
  /** HTTP/2 request trailers, sent again with the body. */
  trailers: OutgoingHttpHeaders | undefined;

  constructor(private readonly limit: number) {}

  /**
   * A buffer for a request that may be retried, or undefined when its declared length already
   * exceeds the limit (nothing will be kept, so no need to look at it).
   */
  static forLength(limit: number, declared: number | undefined): ReplayBody | undefined {
    if (declared !== undefined && declared > limit) return undefined;
    return new ReplayBody(limit);
  }

  add(chunk: Buffer): void {
    if (!this.kept) return;
    this.size += chunk.length;
    if (this.size > this.limit) this.kept = undefined;
    else this.kept.push(chunk);
  }

  /** The body streamed past the buffer: this request cannot be sent again. */
  get overflowed(): boolean {
    return this.kept === undefined;
  }

  /** The whole body is here and kept: the request can be sent again as it was. */
  get replayable(): boolean {
    return this.complete && this.kept !== undefined;
  }

  get chunks(): readonly Buffer[] {
    return this.kept ?? [];
  }

  get bytes(): number {
    return this.size;
  }
}
