// TCP_USER_TIMEOUT on upstream connections, through weft's native addon: data the peer has not
// acknowledged within the bound ends the connection (ETIMEDOUT). A request written onto a
// pooled connection just as a partition starts then fails in that time — where, with no route
// timeout, it used to wait for the idle timeout — while a slow but reachable upstream (which
// acknowledges what it receives) is never cut by it. Without the addon it is a no-op (the
// bound is then the idle timeout, as before) and says so once.
import type { Socket } from 'node:net';
import { loadNativeAddon, socketFd } from './so-original-dst.js';

/** Sets TCP_USER_TIMEOUT on a connected socket (plain, or a TLS socket's own). */
export type UserTimeoutSetter = (socket: Socket) => void;

interface WithUserTimeout {
  setTcpUserTimeout?: (fd: number, ms: number) => void;
}

let addon: WithUserTimeout | null | undefined;
let unavailable: string | undefined;

function load(): WithUserTimeout | null {
  if (addon !== undefined) return addon;
  try {
    addon = loadNativeAddon() as unknown as WithUserTimeout;
    if (typeof addon.setTcpUserTimeout !== 'function') {
      unavailable = 'the native addon predates setTcpUserTimeout (run `npm run build:native`)';
      addon = null;
    }
  } catch (err) {
    unavailable = (err as Error).message;
    addon = null;
  }
  return addon;
}

/** Why TCP_USER_TIMEOUT cannot be set here, or undefined when it can. */
export function userTimeoutUnavailable(): string | undefined {
  load();
  return unavailable;
}

export function tcpUserTimeout(ms: number): UserTimeoutSetter {
  return (socket) => {
    const a = load();
    const fd = socketFd(socket);
    if (!a?.setTcpUserTimeout || fd === undefined) return;
    try {
      a.setTcpUserTimeout(fd, ms);
    } catch {
      // A socket closed between connect and here: nothing to bound.
    }
  };
}
