// Opaque TCP forwarding: bytes both ways with half-close. A failed upstream connect resets
// the client connection (the TCP analogue of a 502); an error on either side resets the other.
import net, { type Socket } from 'node:net';
import type { Address } from '../../lib/address.js';
import { formatAddress } from '../../lib/address.js';
import { UpstreamConnectError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';

export interface TcpForwardOptions {
  readonly connectTimeoutMs: number;
  /** Silence both ways after which the connection is reset; 0: never (pipeBoth). */
  readonly idleTimeoutMs: number;
  readonly log: Logger;
}

/** How to reach the target: plain TCP by default, or e.g. mTLS to a meshed peer. */
export type TcpConnect = (target: Address) => Promise<Socket>;

/** Connects to `target`, resolving with the socket or rejecting with UpstreamConnectError. */
export function connectTcp(target: Address, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const up = net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => {
      up.destroy();
      reject(new UpstreamConnectError(formatAddress(target), { cause: new Error(`connect timeout ${timeoutMs} ms`) }));
    }, timeoutMs);
    up.once('connect', () => {
      clearTimeout(timer);
      up.removeAllListeners('error');
      resolve(up);
    });
    up.once('error', (err) => {
      clearTimeout(timer);
      reject(new UpstreamConnectError(formatAddress(target), { cause: err }));
    });
  });
}

/** Resets a socket (RST) where the platform allows it, else destroys it. */
export function resetSocket(s: Socket): void {
  if (s.destroyed) return;
  // resetAndDestroy() on a handle-less socket destroys it *with an error*; avoid that path.
  const handle = (s as unknown as { _handle?: unknown })._handle;
  if (!handle || s.connecting) {
    s.destroy();
    return;
  }
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy(); // a TLS socket's handle is not a TCP handle and cannot be reset directly
  }
}

/** Ends `s` (its queued writes go first) and destroys it once they have. */
function closeAfterFlush(s: Socket): void {
  if (s.destroyed) return;
  if (!s.writableEnded) s.end();
  if (s.writableFinished) s.destroy();
  else s.once('finish', () => s.destroy());
}

/**
 * TCP keep-alive on a joined connection: first probe after this much silence (libuv then probes
 * every second, ten times). With no idle timeout by default, this is what finds a peer that
 * vanished without a FIN or RST (a node gone, a NAT entry dropped) and frees both sockets.
 */
export const TCP_KEEPALIVE_MS = 10_000;

/**
 * Joins two connected sockets: data both ways, FIN propagated, errors reset the peer.
 * `idleTimeoutMs` > 0: both are reset after that long with no bytes either way; 0: never, as
 * Linkerd does for opaque connections — a quiet database or WebSocket connection is the app's
 * to close.
 */
export function pipeBoth(a: Socket, b: Socket, idleTimeoutMs: number): void {
  // A side whose reading already ended will not emit 'end' again: pass its FIN on now.
  if (a.readableEnded) b.end();
  else a.pipe(b);
  if (b.readableEnded) a.end();
  else b.pipe(a);
  const onErr = (other: Socket) => () => resetSocket(other);
  a.on('error', onErr(b));
  b.on('error', onErr(a));
  // A side that closed without passing an end on (destroyed: a drain's deadline, a guard) can
  // take nothing more, so the other side finishes its writes, ends and closes too. Without the
  // idle timeout nothing else would ever free it.
  a.once('close', () => closeAfterFlush(b));
  b.once('close', () => closeAfterFlush(a));
  // No explicit close once both directions ended: each socket closes itself (autoDestroy) when
  // its own read side has ended *and* its writes are flushed; destroying earlier loses the tail
  // of the data (with TLS the last writes are still being encrypted).
  for (const s of [a, b]) {
    s.setKeepAlive(true, TCP_KEEPALIVE_MS);
    if (idleTimeoutMs > 0) {
      s.setTimeout(idleTimeoutMs, () => {
        resetSocket(a);
        resetSocket(b);
      });
    }
  }
}

/**
 * Forwards an accepted client connection to `target` as opaque TCP. `prefix` holds bytes already
 * read from the client and not put back (it half-closed during protocol detection).
 */
export async function forwardTcp(client: Socket, target: Address | undefined, opts: TcpForwardOptions, connect?: TcpConnect, prefix?: Buffer): Promise<void> {
  if (!target) {
    opts.log.debug('no destination for opaque connection; resetting');
    resetSocket(client);
    return;
  }
  client.pause();
  let up: Socket;
  try {
    up = await (connect ? connect(target) : connectTcp(target, opts.connectTimeoutMs));
  } catch (err) {
    opts.log.info('opaque upstream connect failed', { target: formatAddress(target), err: err as Error });
    resetSocket(client);
    return;
  }
  if (client.destroyed) {
    up.destroy();
    return;
  }
  if (prefix?.length) up.write(prefix);
  pipeBoth(client, up, opts.idleTimeoutMs);
  client.resume();
}
