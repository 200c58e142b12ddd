// An OTLP/HTTP endpoint for the tracing benchmark rows: accepts POST /v1/traces and answers 200,
// counting what arrives, so the proxy's exporter does its full work (encode, batch, send)
// without a tracing backend's own cost in the figures.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TraceSink {
  readonly address: string;
  readonly bytes: number;
  close(): Promise<void>;
}

export async function startTraceSink(): Promise<TraceSink> {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.writeHead(req.url === '/v1/traces' && req.method === 'POST' ? 200 : 404).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    get bytes() {
      return bytes;
    },
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
