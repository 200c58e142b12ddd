// Small pieces shared by the demo's HTTP servers: listen on a configured address and report
// the bound one (port 0 in tests), answer JSON, and close gracefully on SIGTERM.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../../src/lib/address.js';

/** A started component: where it listens, and how to stop it (finishing in-flight work). */
export interface Running {
  readonly address: Address;
  close(): Promise<void>;
}

export function listen(server: Server, at: Address): Promise<Address> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      const a = server.address() as AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}

/**
 * Stops accepting, lets in-flight requests finish, closes idle keep-alive connections at once
 * and, after `graceMs`, every connection still open.
 */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
  });
  res.end(data);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}
