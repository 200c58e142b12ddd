// Real backends for tests, each on 127.0.0.1 port 0, with a close() for after().
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Address } from '../../src/lib/address.js';

export interface Backend<T = unknown> {
  readonly addr: Address;
  readonly server: T;
  /** Distinct TCP connections the backend accepted. */
  connections: number;
  close(): Promise<void>;
}

function listening<T extends net.Server>(server: T, track: { connections: number }): Promise<Address> {
  server.on('connection', () => track.connections++);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port })));
}

function closer(server: net.Server | http.Server | http2.Http2Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** An HTTP/1.1 server; the handler defaults to echoing method, url and headers as JSON. */
export async function httpBackend(handler?: http.RequestListener): Promise<Backend<http.Server>> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer(
    handler ??
      ((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      }),
  );
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const b = { connections: 0, server } as Backend<http.Server> & { addr: Address; close: () => Promise<void> };
  (b as { addr: Address }).addr = await listening(server, b);
  b.close = closer(server, sockets);
  return b;
}

/** An h2c server; the handler defaults to echoing the path with a trailer. */
export async function h2Backend(onStream?: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => void): Promise<Backend<http2.Http2Server>> {
  const sockets = new Set<net.Socket>();
  const server = http2.createServer();
  server.on('stream', onStream ?? ((s, h) => {
    s.on('error', () => {}); // a client (or proxy) that resets the stream is not the backend's failure
    s.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
    s.on('wantTrailers', () => s.sendTrailers({ 'x-trailer': 'done' }));
    s.end(`h2 ${h[':method']} ${h[':path']}`);
  }));
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const b = { connections: 0, server } as Backend<http2.Http2Server> & { addr: Address; close: () => Promise<void> };
  (b as { addr: Address }).addr = await listening(server, b);
  b.close = closer(server, sockets);
  return b;
}

/** A raw TCP server; `onConn` gets each connection (default: echo with half-close). */
export async function tcpBackend(onConn?: (s: net.Socket) => void): Promise<Backend<net.Server>> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    (onConn ?? ((c: net.Socket) => c.pipe(c)))(s);
  });
  const b = { connections: 0, server } as Backend<net.Server> & { addr: Address; close: () => Promise<void> };
  (b as { addr: Address }).addr = await listening(server, b);
  b.close = closer(server, sockets);
  return b;
}

/** A port that nothing listens on (bound then released). */
export async function deadPort(): Promise<Address> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return { host: '127.0.0.1', port };
}
