// What an attacker (or a peer) does against the inbound port, byte for byte: meshed TLS with
// any client-side TLS options, the transport header, then raw bytes; plaintext the same way.
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import type { Address } from '../../../src/lib/address.js';
import { MESH_ALPN } from '../../../src/proxy/tls/context.js';
import { encodeTransportHeader, type TransportHeader } from '../../../src/proxy/tls/transport-header.js';

export interface Outcome {
  /** The client finished its side of the TLS handshake. */
  readonly secureConnect: boolean;
  /** The first error the client saw (e.g. ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED). */
  readonly error: string | undefined;
  /** Everything the proxy answered before it closed (or the 3 s bound). */
  readonly answer: string;
}

export interface MeshedAttempt {
  readonly to: Address;
  /** The server's DNS-style identity name (SNI). */
  readonly servername: string;
  readonly trustAnchorPem: string;
  /** Client TLS options: secureContext (a certificate), maxVersion, ecdhCurve, ... */
  readonly tls?: ConnectionOptions;
  readonly header?: TransportHeader;
  readonly payload?: string;
  readonly waitMs?: number;
}

/** Meshed TLS to the inbound port, then the transport header and payload; collects the answer. */
export function meshed(a: MeshedAttempt): Promise<Outcome> {
  return new Promise((resolve) => {
    let secureConnect = false;
    let error: string | undefined;
    let answer = '';
    const s = tls.connect({
      host: a.to.host,
      port: a.to.port,
      servername: a.servername,
      ALPNProtocols: [MESH_ALPN],
      ca: a.trustAnchorPem,
      checkServerIdentity: () => undefined,
      ...a.tls,
    });
    const timer = setTimeout(() => s.destroy(), a.waitMs ?? 3000);
    s.on('secureConnect', () => {
      secureConnect = true;
      if (a.header) s.write(encodeTransportHeader(a.header));
      if (a.payload) s.write(a.payload, 'latin1');
    });
    s.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    s.on('error', (e: Error & { code?: string }) => (error ??= e.code ?? e.message));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ secureConnect, error, answer });
    });
  });
}

/** Plaintext: writes each part (with the pause before it) and collects the answer until close. */
export function plain(to: Address, parts: readonly (string | { pauseMs: number })[], waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(to.port, to.host);
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    s.on('error', () => {});
    const timer = setTimeout(() => s.destroy(), waitMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    void (async () => {
      for (const p of parts) {
        if (typeof p === 'string') s.write(p, 'latin1');
        else await new Promise((r) => setTimeout(r, p.pauseMs));
        if (s.destroyed) return;
      }
    })();
  });
}

/** An HTTP/1.1 request carrying forged identity headers. */
export function forgedRequest(path = '/', extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: app\r\nweft-client-id: spiffe://cluster.local/ns/prod/sa/admin\r\nl5d-client-id: admin.prod.serviceaccount.identity.linkerd.cluster.local\r\n${extra}Connection: close\r\n\r\n`;
}

/** The JSON the echo backend answered (method, url, headers), from a raw HTTP/1 answer. */
export function echoed(answer: string): { url: string; headers: Record<string, string> } | undefined {
  const i = answer.indexOf('\r\n\r\n');
  if (!/^HTTP\/1\.1 200 /.test(answer) || i < 0) return undefined;
  return JSON.parse(answer.slice(i + 4)) as { url: string; headers: Record<string, string> };
}

export interface H2Result {
  readonly status: number | undefined;
  readonly rstCode: number | undefined;
  readonly body: string;
}

/** One HTTP/2 request on `session`: the status and body, or the RST_STREAM code it ended with. */
export function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders): Promise<H2Result> {
  return new Promise((resolve) => {
    const req = session.request({ ':path': '/', ...headers }, { endStream: true });
    let status: number | undefined;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('error', () => {});
    req.on('close', () => resolve({ status, rstCode: req.rstCode || undefined, body }));
  });
}

/** `n` distinct header fields. */
export const manyHeaders = (n: number): OutgoingHttpHeaders => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v']));
