// The request side of one downstream HTTP/1 exchange: its parsed head (headers mutable by the
// layers, e.g. the client-id header) and its body, which the connection delivers to one sink
// as it arrives, with backpressure. Until a sink is attached (discovery may take a moment) the
// connection holds the bytes and stops reading.
import type { Socket } from 'node:net';
import type { Framing, RequestHead } from './head.js';

export interface BodySink {
  /**
   * 'raw': bytes as framed on the wire (forwarded with the same framing); 'payload': chunk
   * framing removed, trailers given to end().
   */
  readonly mode: 'raw' | 'payload';
  /** Returns false to pause the client until the request's resume() is called. */
  write(chunk: Buffer): boolean;
  end(trailers: readonly string[]): void;
  /** The body was cut short: the client left, or sent malformed framing. */
  abort(err: Error): void;
}

/** What the connection does for a request's body (implemented by server.ts). */
export interface BodySource {
  attach(sink: BodySink): void;
  pause(): void;
  resume(): void;
  /** Reads and drops the rest of the body (the response did not need it). */
  discard(): void;
  /** Whether the whole body has been received (true at once for bodiless requests). */
  bodyComplete(): boolean;
}

export class H1Request {
  readonly method: string;
  readonly target: string;
  readonly minor: 0 | 1;
  /** Flat name/value list (lower-cased names); layers may change it before forwarding. */
  readonly headers: string[];
  readonly framing: Framing;
  private attached = false;

  constructor(
    readonly head: RequestHead,
    /** The head's bytes as the client sent them (a view of the connection's buffer; never written to). */
    readonly rawHead: Buffer,
    readonly socket: Socket,
    private readonly body: BodySource,
  ) {
    this.method = head.method;
    this.target = head.target;
    this.minor = head.minor;
    this.headers = head.headers;
    this.framing = head.framing;
  }

  get bodyComplete(): boolean {
    return this.body.bodyComplete();
  }

  get hasBody(): boolean {
    return this.framing.kind !== 'none';
  }

  /** Delivers the body to `sink` (once; a bodiless request ends the sink at once). */
  readBody(sink: BodySink): void {
    if (this.attached) throw new Error('request body already being read');
    this.attached = true;
    this.body.attach(sink);
  }

  pause(): void {
    this.body.pause();
  }

  resume(): void {
    this.body.resume();
  }

  /** Drops whatever body is left (e.g. the proxy answered without forwarding it). */
  discardBody(): void {
    if (this.attached) return;
    this.attached = true;
    this.body.discard();
  }
}
