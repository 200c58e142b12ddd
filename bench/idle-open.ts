// Many HTTP/1 keep-alive connections, each having made one request and then left idle: the
// shape of a client pool at rest. Shared by bench/idle-conns.ts and the bounded-memory test.
import net from 'node:net';
import type { Address } from '../src/lib/address.js';

export interface IdleConnections {
  readonly sockets: readonly net.Socket[];
  close(): void;
}

/** One request-response on a new connection, which is then kept open. */
function oneIdle(to: Address, host: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(to.port, to.host);
    let got = '';
    s.setEncoding('latin1');
    s.on('error', reject);
    s.on('data', function onData(c: string) {
      got += c;
      // The app answers `ok` with a Content-Length: the response is complete at its body.
      if (/\r\n\r\n[\s\S]*ok$/.test(got)) {
        s.off('data', onData);
        resolve(s);
      }
    });
    s.write(`GET /idle HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
  });
}

/** Opens `n` idle keep-alive connections to `to`, 50 at a time. */
export async function openIdleConnections(to: Address, host: string, n: number): Promise<IdleConnections> {
  const sockets: net.Socket[] = [];
  const close = (): void => {
    for (const s of sockets) s.destroy();
  };
  try {
    while (sockets.length < n) {
      const batch = Math.min(50, n - sockets.length);
      sockets.push(...(await Promise.all(Array.from({ length: batch }, () => oneIdle(to, host)))));
    }
  } catch (e) {
    close();
    throw e;
  }
  for (const s of sockets) s.on('error', () => {});
  return { sockets, close };
}
