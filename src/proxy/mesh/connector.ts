// Connections to meshed peers: mTLS (verified against the trust anchor and the identity the
// destination said to expect), then the transport header naming the target port and protocol,
// then the application's bytes. Shared by the HTTP/1 agent, the HTTP/2 pool and opaque TCP.
import http from 'node:http';
import type { Duplex } from 'node:stream';
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

/** Request options the mesh agent reads (set by the HTTP/1 forward layer). */
export interface MeshRequestOptions extends http.RequestOptions {
  weftIdentity?: string;
}

/**
 * A keep-alive agent whose connections are mTLS to a meshed peer. The expected identity is
 * part of the pool key, so a connection verified for one identity never serves another.
 */
export class MeshAgent extends http.Agent {
  constructor(
    private readonly connector: MeshConnector,
    opts: http.AgentOptions,
  ) {
    super(opts);
  }

  override getName(options: MeshRequestOptions = {}): string {
    return `${super.getName(options)}:${options.weftIdentity ?? ''}`;
  }

  // Node's Agent accepts an asynchronous createConnection that reports through the callback.
  override createConnection(options: MeshRequestOptions, cb: (err: Error | null, socket?: Duplex) => void): Duplex | undefined {
    const host = options.host ?? '127.0.0.1';
    const port = Number(options.port);
    const identity = options.weftIdentity;
    if (!identity) {
      cb(new Error('mesh agent used without an expected identity'));
      return undefined;
    }
    this.connector.connect({ host, port }, identity, { port, protocol: 'http1' }).then(
      (s) => cb(null, s),
      (err: Error) => cb(err),
    );
    return undefined;
  }
}
