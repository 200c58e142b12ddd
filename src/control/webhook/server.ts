// A generic admission webhook server (Linkerd's controller/webhook/server.go, in TypeScript):
// HTTPS with the certificate the webhook configurations' caBundle vouches for, one handler per
// path, AdmissionReview v1 in and out, GET /healthz for probes. The injector and the validator
// supply only their handlers. A handler that throws answers "allowed" with a warning: a broken
// webhook must not block the cluster (the configurations say failurePolicy: Ignore as well).
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Address } from '../../lib/address.js';
import { ConfigError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { AdmissionHandler, AdmissionRequest } from './admission.js';
import { admissionResponse } from './admission.js';

/** The API server sends at most ~3 MiB (an object is limited to 1.5 MiB). */
const MAX_BODY = 4 << 20;

export interface AdmissionServerOptions {
  readonly listen: Address;
  readonly certFile: string;
  readonly keyFile: string;
  readonly handlers: Readonly<Record<string, AdmissionHandler>>;
  readonly log?: Logger;
}

export interface AdmissionServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseReview(text: string): AdmissionRequest | undefined {
  try {
    const review = JSON.parse(text) as { request?: AdmissionRequest };
    const r = review.request;
    return r && typeof r.uid === 'string' && r.kind ? r : undefined;
  } catch {
    return undefined;
  }
}

export async function startAdmissionServer(o: AdmissionServerOptions): Promise<AdmissionServer> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(o.certFile), readFile(o.keyFile)]);
  } catch (err) {
    throw new ConfigError(`cannot read the webhook certificate or key: ${(err as Error).message}`, { cause: err });
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz' && req.method === 'GET') return send(res, 200, 'ok\n');
    const handler = o.handlers[path];
    if (!handler) return send(res, 404, 'not found\n');
    if (req.method !== 'POST') return send(res, 405, 'use POST\n');
    const review = parseReview(await readBody(req));
    if (!review) return send(res, 400, 'expected an admission.k8s.io/v1 AdmissionReview with a request\n');
    try {
      const result = await handler(review);
      send(res, 200, admissionResponse(review.uid, result));
    } catch (err) {
      o.log?.error('admission handler failed; admitting unchanged', { path, kind: review.kind.kind, name: review.name, error: err as Error });
      send(res, 200, admissionResponse(review.uid, { allowed: true, warnings: [`weft webhook ${path} failed: ${(err as Error).message}`] }));
    }
  };
  let server: https.Server;
  try {
    server = https.createServer({ cert, key, minVersion: 'TLSv1.2' }, (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 400, `${(err as Error).message}\n`);
        else res.destroy();
      });
    });
  } catch (err) {
    throw new ConfigError(`the webhook certificate or key is not usable: ${(err as Error).message}`, { cause: err });
  }
  server.on('tlsClientError', (err) => o.log?.debug('TLS handshake failed', { error: err }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.log?.info('admission webhooks listening', { port, paths: Object.keys(o.handlers) });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
