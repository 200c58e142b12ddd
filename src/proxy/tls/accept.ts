// Server side of meshed TLS. The inbound detect layer has accepted a plain TCP socket, peeked
// a ClientHello offering our ALPN and unshift()ed the bytes back; MeshTlsAcceptor terminates
// TLS on it, requires a client certificate, verifies it against the trust anchor and reports
// the client's SPIFFE identity. A client without a certificate is refused in the handshake
// (TLS alert certificate_required) unless the acceptor was built with requireClientCert false
// (the seam for a per-port policy: it then gets clientIdentity undefined and decides itself).
//
// TLS 1.3 and the mesh's key-exchange groups are set on the server itself, not only on the
// SecureContext the SNICallback returns: OpenSSL takes the protocol versions and groups of a
// connection from the context it was created with, and the SNI context swap changes only the
// certificate and the trust store (issue 19: TLS 1.2 and ffdhe8192 were accepted).
//
// Why a tls.Server that never listens: Node computes `authorized` for a server-side TLSSocket
// only inside tls.Server's connection handling, so sockets are handed to one with
// emit('connection'). Its SNICallback supplies the identity's current SecureContext, so a
// rotated certificate is used by the next handshake. Meshed clients always send SNI (the
// expected identity's DNS-style name); a client without SNI gets no certificate and fails.
// 'secureConnection' hands back a new TLSSocket; it is matched to the raw socket by the TCP
// four-tuple, which is unique among live connections.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Server } from 'node:tls';
import { TimeoutError } from '../../lib/errors.js';
import type { TlsIdentity } from './context.js';
import { MESH_ALPN } from './context.js';
import { ClientCertRefusedError, TlsHandshakeError } from './errors.js';
import { keyExchange } from './key-exchange.js';
import { spiffeFromCertificate } from './peer-identity.js';

export interface AcceptedMeshed {
  readonly socket: TLSSocket;
  /** The client's verified SPIFFE identity; undefined when it sent no certificate. */
  readonly clientIdentity: string | undefined;
  /** The SNI the client sent (our identity's DNS-style name when it is a mesh peer). */
  readonly serverName: string | undefined;
}

interface Pending {
  resolve(a: AcceptedMeshed): void;
  reject(err: Error): void;
}

export const DEFAULT_ACCEPT_TIMEOUT_MS = 10_000;

/** TlsHandshakeError reasons the acceptor sets itself (others are OpenSSL's codes). */
export const NO_CLIENT_CERT = 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE';
export const NO_SPIFFE_IDENTITY = 'NO_SPIFFE_IDENTITY';

export interface MeshTlsAcceptorOptions {
  readonly handshakeTimeoutMs?: number;
  /** Refuse clients without a valid certificate in the handshake (default true). */
  readonly requireClientCert?: boolean;
}

function tupleKey(s: Socket): string | undefined {
  if (!s.remoteAddress || !s.remotePort || !s.localPort) return undefined;
  return `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;
}

export class MeshTlsAcceptor {
  private readonly server: Server;
  private readonly pending = new Map<string, Pending>();
  /** Raw socket -> its pending key: a TLS socket destroyed in the handshake has lost its address. */
  private readonly keys = new WeakMap<Socket, string>();
  private readonly timeoutMs: number;

  constructor(identity: TlsIdentity, opts: MeshTlsAcceptorOptions = {}) {
    this.timeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_ACCEPT_TIMEOUT_MS;
    const requireClientCert = opts.requireClientCert ?? true;
    this.server = new Server({
      minVersion: 'TLSv1.3',
      ecdhCurve: keyExchange().ecdhCurve,
      SNICallback: (_name, cb) => {
        // Before the first certificate there is nothing to offer: fail this handshake only.
        let ctx;
        try {
          ctx = identity.secureContext();
        } catch (err) {
          cb(err as Error, undefined);
          return;
        }
        cb(null, ctx);
      },
      requestCert: true,
      // Required: OpenSSL refuses a client without a certificate (alert certificate_required)
      // and Node destroys one whose chain does not verify. Optional: both are read below.
      rejectUnauthorized: requireClientCert,
      ALPNProtocols: [MESH_ALPN],
      handshakeTimeout: 0,
    });
    this.server.on('secureConnection', (tls: TLSSocket) => this.onSecure(tls));
    this.server.on('tlsClientError', (err: Error & { code?: string }, tls: TLSSocket) => {
      const p = this.take(tls);
      // A chain that did not verify is cut by Node after the handshake (seen here as a reset);
      // the verification code says why.
      // Typed as an Error, but Node sets the verification code (a string) there.
      const v = tls.authorizationError as unknown;
      const verify = typeof v === 'string' ? v : v ? String(v) : undefined;
      if (verify) p?.reject(new ClientCertRefusedError(`client certificate refused: ${verify}`, { cause: err, reason: verify }));
      else p?.reject(new TlsHandshakeError(`meshed TLS accept failed: ${err.message}`, { cause: err, reason: err.code }));
    });
  }

  /** Terminates meshed TLS on `raw`. Rejects with TlsHandshakeError or TimeoutError. */
  accept(raw: Socket): Promise<AcceptedMeshed> {
    const key = tupleKey(raw);
    if (!key) return Promise.reject(new TlsHandshakeError('socket has no TCP address (closed?)'));
    if (this.pending.has(key)) return Promise.reject(new TlsHandshakeError(`socket ${key} is already being accepted`));
    return new Promise<AcceptedMeshed>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(key)) {
          raw.destroy();
          reject(new TimeoutError('meshed TLS accept', this.timeoutMs));
        }
      }, this.timeoutMs);
      // Deferred: when Node cuts a refused handshake, 'close' comes just before the
      // 'tlsClientError' that tells why.
      const onClose = () =>
        setImmediate(() => {
          const p = this.pending.get(key);
          if (p === entry) {
            this.pending.delete(key);
            p.reject(new TlsHandshakeError('connection closed during the meshed TLS handshake'));
          }
        });
      const done = () => {
        clearTimeout(timer);
        raw.off('close', onClose);
      };
      const entry: Pending = {
        resolve: (a) => (done(), resolve(a)),
        reject: (e) => (done(), raw.destroy(), reject(e)),
      };
      this.pending.set(key, entry);
      this.keys.set(raw, key);
      raw.once('close', onClose);
      this.server.emit('connection', raw);
    });
  }

  private take(tls: TLSSocket): Pending | undefined {
    // `_parent` is the raw socket a server-side TLSSocket wraps (Node sets it; not in the types).
    const raw = (tls as TLSSocket & { _parent?: Socket })._parent;
    const key = (raw && this.keys.get(raw)) ?? tupleKey(tls);
    const p = key ? this.pending.get(key) : undefined;
    if (key) this.pending.delete(key);
    return p;
  }

  private onSecure(tls: TLSSocket): void {
    const p = this.take(tls);
    if (!p) {
      tls.destroy();
      return;
    }
    const cert = tls.getPeerCertificate();
    const hasCert = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
    if (!hasCert) {
      p.resolve({ socket: tls, clientIdentity: undefined, serverName: servername(tls) });
      return;
    }
    if (!tls.authorized) {
      const reason = String(tls.authorizationError);
      tls.destroy();
      p.reject(new ClientCertRefusedError(`client certificate refused: ${reason}`, { reason }));
      return;
    }
    const id = spiffeFromCertificate(cert);
    if (!id) {
      tls.destroy();
      p.reject(new TlsHandshakeError('client certificate names no SPIFFE identity', { reason: NO_SPIFFE_IDENTITY }));
      return;
    }
    p.resolve({ socket: tls, clientIdentity: id, serverName: servername(tls) });
  }
}

function servername(tls: TLSSocket): string | undefined {
  const s = (tls as TLSSocket & { servername?: string | false }).servername;
  return typeof s === 'string' ? s : undefined;
}
