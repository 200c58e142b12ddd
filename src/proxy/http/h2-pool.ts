// Upstream HTTP/2 sessions, one per target address (and expected identity), shared by every
// downstream connection: requests to the same endpoint are multiplexed rather than opening a
// connection each. A session that errors, closes or receives GOAWAY is dropped so the next
// request connects anew; so is one whose TLS socket closed or whose PINGs go unanswered
// (h2-client-liveness.ts). Meshed sessions run over mTLS set up by the MeshConnector, which is
// asynchronous, so get() returns a session or a promise of one.
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Address } from '../../lib/address.js';
import { formatAddress } from '../../lib/address.js';
import { UpstreamConnectError } from '../../lib/errors.js';
import type { MeshConnector } from '../mesh/connector.js';
import { closeWithSocket, pingLiveness, type ClientLivenessOptions } from './h2-client-liveness.js';
import { streamOpened, watchIdle } from './h2-idle.js';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface H2PoolOptions {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly mesh?: MeshConnector | undefined;
  /** Applied to each new upstream socket (TCP_USER_TIMEOUT: a partition ends the session). */
  readonly onSocket?: ((s: Socket) => void) | undefined;
  /** PING interval and answer timeout (tests shorten them). */
  readonly liveness?: ClientLivenessOptions | undefined;
}

const SESSION_OPTIONS: http2.ClientSessionOptions = {
  peerMaxConcurrentStreams: 1000,
  settings: { enablePush: false, initialWindowSize: 1 << 20 },
};

/**
 * Waits for the peer's first bytes (its HTTP/2 SETTINGS) and puts them back. With TLS 1.3 the
 * server checks our certificate after the client's handshake is done, and refuses by closing;
 * an HTTP/2 session that has taken over a TLS socket does not notice that close (Node 20), so
 * the peer must be heard from before the session is built.
 */
function peerSpoke(tls: Duplex, key: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      tls.off('data', onData);
      tls.off('end', onEnd);
      tls.off('close', onEnd);
      tls.off('error', onError);
      if (err) {
        tls.destroy();
        reject(new UpstreamConnectError(key, { cause: err }));
      } else resolve();
    };
    const onData = (chunk: Buffer): void => {
      tls.pause();
      tls.unshift(chunk);
      done();
    };
    const onEnd = (): void => done(new Error('the peer closed the meshed connection (our identity refused?)'));
    const onError = (err: Error): void => done(err);
    const timer = setTimeout(() => done(new Error(`no answer from the peer within ${timeoutMs} ms`)), timeoutMs);
    tls.on('data', onData);
    tls.once('end', onEnd);
    tls.once('close', onEnd);
    tls.once('error', onError);
  });
}

/** The last stream id each upstream session's GOAWAY said the peer processed. */
const goawayLastStreamId = new WeakMap<ClientHttp2Session, number>();

/**
 * True when `stream` never reached the peer: it was still pending (no id) when its session
 * went, or the session received a GOAWAY that leaves it out (RFC 9113 §6.8: a higher id was
 * not processed). Such a stream may be sent again on a new session. An app whose nghttp2
 * closes the shared connection with GOAWAY(INTERNAL_ERROR) because another client's rapid
 * reset was relayed to it fails every other stream on it with that error too.
 */
export function unprocessedByPeer(session: ClientHttp2Session, stream: http2.ClientHttp2Stream): boolean {
  if (stream.id === undefined) return true;
  const last = goawayLastStreamId.get(session);
  return last !== undefined && stream.id > last;
}

/**
 * True when the connection went down under `stream` after a GOAWAY that counted it as received,
 * before any answer: the peer may or may not have processed it. nginx does this at the end of
 * its 1,000 requests per connection (keepalive_requests): GOAWAY(NO_ERROR) naming the last
 * stream it read, then the connection closed with that stream unanswered. Only a request that
 * can safely be repeated (RFC 9110 §9.2.2: an idempotent method) may then be sent again.
 */
export function cutAfterGoaway(session: ClientHttp2Session, stream: http2.ClientHttp2Stream): boolean {
  return goawayLastStreamId.has(session) && (session.destroyed || session.closed) && stream.rstCode === http2.constants.NGHTTP2_CANCEL;
}

/**
 * Sends a request on a pooled session, counted as an open stream by its idle watch. Throws as
 * `session.request` does (a session closing or out of stream ids).
 */
export function openStream(session: ClientHttp2Session, headers: http2.OutgoingHttpHeaders, options: http2.ClientSessionRequestOptions): http2.ClientHttp2Stream {
  const stream = session.request(headers, options);
  streamOpened(session, stream);
  return stream;
}

export class H2SessionPool {
  private readonly sessions = new Map<string, ClientHttp2Session | Promise<ClientHttp2Session>>();
  constructor(private readonly opts: H2PoolOptions) {}

  get(target: Address, identity?: string): ClientHttp2Session | Promise<ClientHttp2Session> {
    const key = identity ? `${formatAddress(target)}|${identity}` : formatAddress(target);
    const existing = this.sessions.get(key);
    if (existing && (existing instanceof Promise || (!existing.closed && !existing.destroyed))) return existing;
    if (!identity) return this.track(key, this.plain(target));
    const mesh = this.opts.mesh;
    if (!mesh) throw new UpstreamConnectError(formatAddress(target), { cause: new Error('meshed target but this proxy has no identity') });
    const pending = mesh
      .connect(target, identity, { port: target.port, protocol: 'http2' })
      .then(async (tls) => {
        this.opts.onSocket?.(tls);
        await peerSpoke(tls, formatAddress(target), this.opts.connectTimeoutMs);
        const session = http2.connect(`http://${formatAddress(target)}`, { ...SESSION_OPTIONS, createConnection: () => tls });
        this.failIfNotConnected(session, formatAddress(target));
        closeWithSocket(session, tls);
        return this.track(key, session);
      })
      .catch((err: unknown) => {
        this.sessions.delete(key);
        throw err;
      });
    this.sessions.set(key, pending);
    return pending;
  }

  private plain(target: Address): ClientHttp2Session {
    const session = http2.connect(`http://${formatAddress(target)}`, SESSION_OPTIONS);
    this.failIfNotConnected(session, formatAddress(target));
    const onSocket = this.opts.onSocket;
    if (onSocket) session.once('connect', () => session.socket && onSocket(session.socket as Socket));
    return session;
  }

  /** Destroys a session that has not finished connecting (SETTINGS exchanged) in time. */
  private failIfNotConnected(session: ClientHttp2Session, key: string): void {
    const timer = setTimeout(() => {
      session.destroy(new UpstreamConnectError(key, { cause: new Error(`connect timeout ${this.opts.connectTimeoutMs} ms`) }));
    }, this.opts.connectTimeoutMs);
    session.once('connect', () => clearTimeout(timer));
    session.once('close', () => clearTimeout(timer));
    session.on('error', () => clearTimeout(timer));
  }

  private track(key: string, session: ClientHttp2Session): ClientHttp2Session {
    const drop = (): void => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    };
    // A larger connection window than the 64 KiB default, so streams are not starved.
    // (The session may already be gone by the time 'connect' is delivered: nothing to enlarge.)
    session.once('connect', () => {
      if (!session.destroyed && !session.closed) session.setLocalWindowSize(8 << 20);
    });
    // Errors surface on each request stream; the session itself just leaves the pool.
    session.on('error', drop);
    session.once('goaway', (_code: number, lastStreamId: number) => {
      goawayLastStreamId.set(session, lastStreamId);
      drop();
    });
    session.once('close', drop);
    // Idle: no open stream for the timeout. Requests are counted by openStream().
    watchIdle(session, this.opts.idleTimeoutMs, () => session.close());
    pingLiveness(session, this.opts.liveness);
    this.sessions.set(key, session);
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Graceful: no new streams, in-flight ones finish. */
  close(): void {
    for (const s of this.sessions.values()) {
      if (s instanceof Promise) s.then((x) => x.close(), () => {});
      else s.close();
    }
    this.sessions.clear();
  }
}
