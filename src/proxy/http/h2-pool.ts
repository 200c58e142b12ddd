// Upstream HTTP/2 sessions, one per target address, shared by every downstream connection:
// requests to the same endpoint are multiplexed rather than opening a connection each.
// A session that errors, closes or receives GOAWAY is dropped so the next request connects anew.
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Address } from '../../lib/address.js';
import { formatAddress } from '../../lib/address.js';
import { UpstreamConnectError } from '../../lib/errors.js';

export interface H2PoolOptions {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export class H2SessionPool {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  constructor(private readonly opts: H2PoolOptions) {}

  get(target: Address): ClientHttp2Session {
    const key = formatAddress(target);
    const existing = this.sessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;

    const session = http2.connect(`http://${key}`, {
      peerMaxConcurrentStreams: 1000,
      settings: { enablePush: false, initialWindowSize: 1 << 20 },
    });
    const drop = (): void => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    };
    const timer = setTimeout(() => {
      session.destroy(new UpstreamConnectError(key, { cause: new Error(`connect timeout ${this.opts.connectTimeoutMs} ms`) }));
    }, this.opts.connectTimeoutMs);
    session.once('connect', () => {
      clearTimeout(timer);
      // A larger connection window than the 64 KiB default, so streams are not starved.
      session.setLocalWindowSize(8 << 20);
    });
    // Errors surface on each request stream; the session itself just leaves the pool.
    session.on('error', () => {
      clearTimeout(timer);
      drop();
    });
    session.once('goaway', drop);
    session.once('close', () => {
      clearTimeout(timer);
      drop();
    });
    session.setTimeout(this.opts.idleTimeoutMs, () => session.close());
    this.sessions.set(key, session);
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Graceful: no new streams, in-flight ones finish. */
  close(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }
}
