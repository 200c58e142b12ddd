// Client side of meshed TLS: connect to a peer proxy, present our certificate, and accept the
// peer only if its chain verifies against the trust anchor AND its leaf names the identity the
// destination service told us to expect (SPIFFE URI SAN). SNI carries the expected identity's
// DNS-style name, as Linkerd does, so the peer's detect layer can tell meshed TLS apart.
import type { Socket } from 'node:net';
import type { ConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';
import { connect } from 'node:tls';
import { TimeoutError } from '../../lib/errors.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { formatDnsName, formatSpiffe, parseIdentity } from '../../lib/spiffe.js';
import type { TlsIdentity } from './context.js';
import { MESH_ALPN } from './context.js';
import { IdentityMismatchError, TlsHandshakeError } from './errors.js';
import { spiffeFromCertificate } from './peer-identity.js';

export interface ConnectMeshedOptions {
  readonly host: string;
  readonly port: number;
  /** SPIFFE URI or DNS-style name (or parsed) of the peer we mean to reach. */
  readonly expectedIdentity: string | WorkloadId;
  /** Our identity (its current SecureContext is used for this connection). */
  readonly identity: TlsIdentity;
  /** An already-connected plain socket to run TLS over (instead of host/port). */
  readonly socket?: Socket;
  readonly timeoutMs?: number;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Resolves with the TLS socket once the handshake is done and the peer verified; rejects with
 * IdentityMismatchError, TlsHandshakeError (with OpenSSL's `reason`, e.g. CERT_HAS_EXPIRED) or
 * TimeoutError, having destroyed the socket.
 */
export function connectMeshed(opts: ConnectMeshedOptions): Promise<TLSSocket> {
  const expected = typeof opts.expectedIdentity === 'string' ? parseIdentity(opts.expectedIdentity) : opts.expectedIdentity;
  const expectedUri = formatSpiffe(expected);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  return new Promise<TLSSocket>((resolve, reject) => {
    const options: ConnectionOptions & { allowHalfOpen: boolean } = {
      host: opts.host,
      port: opts.port,
      socket: opts.socket,
      secureContext: opts.identity.secureContext(),
      servername: formatDnsName(expected),
      ALPNProtocols: [MESH_ALPN],
      // Opaque TCP through the mesh keeps half-close: our FIN must not end the peer's direction.
      allowHalfOpen: true,
      rejectUnauthorized: true,
      // Called by Node only after the chain verified against the anchor.
      checkServerIdentity: (_host: string, cert: PeerCertificate) => {
        const actual = spiffeFromCertificate(cert);
        return actual === expectedUri ? undefined : new IdentityMismatchError(expectedUri, actual);
      },
    };
    // allowHalfOpen is honoured by tls.connect (passed to the TLSSocket) though not in its types.
    const sock = connect(options);
    const timer = setTimeout(() => fail(new TimeoutError('meshed TLS handshake', timeoutMs)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    const onError = (err: Error & { code?: string }) => {
      if (err instanceof IdentityMismatchError) return fail(err);
      fail(new TlsHandshakeError(`meshed TLS to ${opts.host}:${opts.port} failed: ${err.message}`, { cause: err, reason: err.code }));
    };
    sock.once('error', onError);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      sock.off('error', onError);
      if (sock.alpnProtocol !== MESH_ALPN) {
        sock.destroy();
        reject(new TlsHandshakeError(`peer ${opts.host}:${opts.port} did not negotiate ALPN ${MESH_ALPN}`));
        return;
      }
      resolve(sock);
    });
  });
}
