// Which meshed clients may talk to the app: the seam the inbound policy work replaces with a
// per-port authorization (Linkerd's Server/AuthorizationPolicy). Today one rule, default for all
// meshed traffic: the client must have proven a SPIFFE identity from the trust anchors. The
// acceptor already refuses certificate-less clients in the handshake (requireClientCert); a
// policy that allows unauthenticated clients on some port builds the acceptor with
// requireClientCert false and decides here, once the transport header has named the port.
import type { RefusalReason } from './refusals.js';

export interface MeshedClient {
  /** Verified SPIFFE identity; undefined when the acceptor let a certificate-less client in. */
  readonly clientIdentity: string | undefined;
  /** The app port the transport header names. */
  readonly port: number;
}

export type MeshedAdmission = (client: MeshedClient) => RefusalReason | undefined;

/** Whether the TLS acceptor itself must refuse clients without a valid certificate. */
export const REQUIRE_CLIENT_CERT = true;

export const requireMeshIdentity: MeshedAdmission = ({ clientIdentity }) => (clientIdentity ? undefined : 'no_client_cert');
