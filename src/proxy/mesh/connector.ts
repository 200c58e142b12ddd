// Connections to meshed peers: mTLS (verified against the trust anchor and the identity the
// destination said to expect), then the transport header naming the target port and protocol,
// then the application's bytes. Shared by the HTTP/1 pool, the HTTP/2 pool and opaque TCP.
import type { TLSSocket } from 'node:tls';
import type { Address } from '../../lib/address.js';
import { connectMeshed } from '../tls/connect.js';
import type { TlsIdentity } from '../tls/context.js';
import { encodeTransportHeader, type TransportHeader } from '../tls/transport-header.js';

export class MeshConnector {
  constructor(
    private readonly identity: TlsIdentity,
    private readonly timeoutMs: number,
  ) {}

  async connect(target: Address, expectedIdentity: string, header: TransportHeader): Promise<TLSSocket> {
    const tls = await connectMeshed({ host: target.host, port: target.port, expectedIdentity, identity: this.identity, timeoutMs: this.timeoutMs });
    tls.setNoDelay(true);
    // Wait for the header write to complete: an HTTP/2 session takes over the TLS stream
    // natively, and a JS write still in flight then trips an assertion inside Node (seen on 20.x).
    await new Promise<void>((resolve, reject) => tls.write(encodeTransportHeader(header), (err) => (err ? reject(err) : resolve())));
    return tls;
  }
}
