// Upstream HTTP/1.1 connections, pooled per endpoint (and expected identity: a connection
// verified for one identity never serves another). Idle connections are reused last-in
// first-out, so a few stay warm and the rest time out; an idle connection the upstream closes,
// or that sends anything while idle, is dropped at once. Meshed endpoints are reached over mTLS
// through the MeshConnector (its transport header says http1).
import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Address } from '../../../lib/address.js';
import { formatAddress } from '../../../lib/address.js';
import { UpstreamConnectError } from '../../../lib/errors.js';
import type { MeshConnector } from '../../mesh/connector.js';
import { UpstreamConnection } from './upstream.js';

export interface H1PoolOptions {
  readonly connectTimeoutMs: number;
  /** An idle pooled connection is closed after this long. */
  readonly idleTimeoutMs: number;
  /** Idle connections kept per endpoint. */
  readonly maxIdlePerEndpoint: number;
  readonly mesh?: MeshConnector | undefined;
  /** Applied to each new upstream socket (TCP_USER_TIMEOUT: a partition ends the connection). */
  readonly onSocket?: ((s: Socket) => void) | undefined;
}

export class H1Pool {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private closed = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: H1PoolOptions) {}

  /** An idle connection to the endpoint, or a promise of a new one. */
  acquire(target: Address, identity?: string): UpstreamConnection | Promise<UpstreamConnection> {
    const key = identity ? `${target.host}:${target.port}|${identity}` : `${target.host}:${target.port}`;
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const c = list.pop() as UpstreamConnection;
      if (!c.socket.destroyed && c.socket.readyState === 'open') return c;
    }
    return this.connect(target, identity).then((s) => new UpstreamConnection(s, key, this));
  }

  /** A fresh connection that is not pooled (Upgrade tunnels). */
  connect(target: Address, identity?: string): Promise<Socket> {
    if (identity) {
      const mesh = this.opts.mesh;
      if (!mesh) return Promise.reject(new UpstreamConnectError(formatAddress(target), { cause: new Error('meshed target but this proxy has no identity') }));
      const onSocket = this.opts.onSocket;
      const tls = mesh.connect(target, identity, { port: target.port, protocol: 'http1' });
      return onSocket ? tls.then((t) => (onSocket(t), t)) : tls;
    }
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: target.host, port: target.port, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new UpstreamConnectError(formatAddress(target), { cause: new Error(`connect timeout ${this.opts.connectTimeoutMs} ms`) }));
      }, this.opts.connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        this.opts.onSocket?.(s);
        s.off('error', onError);
        resolve(s);
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(new UpstreamConnectError(formatAddress(target), { cause: err }));
      };
      s.once('error', onError);
    });
  }

  /** Back to the idle list (called by the connection when its exchange ended cleanly). */
  release(conn: UpstreamConnection): void {
    let list = this.idle.get(conn.key);
    if (this.closed || (list && list.length >= this.opts.maxIdlePerEndpoint)) {
      conn.socket.destroy();
      return;
    }
    if (!list) this.idle.set(conn.key, (list = []));
    list.push(conn);
    if (conn.served === 1) {
      // Once per connection: leave the idle list when the upstream closes it or it times out.
      const drop = (): void => {
        const l = this.idle.get(conn.key);
        const i = l ? l.indexOf(conn) : -1;
        if (l && i >= 0) l.splice(i, 1);
        if (l && l.length === 0) this.idle.delete(conn.key);
      };
      conn.socket.once('close', drop);
      conn.socket.on('end', () => {
        if (!conn.busy) conn.socket.destroy();
      });
    }
    conn.idleSince = performance.now();
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(5000, this.opts.idleTimeoutMs)).unref();
  }

  /**
   * Closes connections idle longer than the idle timeout. One interval per pool rather than a
   * socket timer re-armed at every request: releasing a connection costs a timestamp.
   */
  private sweep(): void {
    const limit = performance.now() - this.opts.idleTimeoutMs;
    for (const l of this.idle.values()) for (const c of l) if (c.idleSince < limit) c.socket.destroy();
  }

  /** Idle connections now (for tests and metrics). */
  get idleCount(): number {
    let n = 0;
    for (const l of this.idle.values()) n += l.length;
    return n;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const l of this.idle.values()) for (const c of l) c.socket.destroy();
    this.idle.clear();
  }
}
