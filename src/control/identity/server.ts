// The identity service's gRPC edge: TLS with a serving certificate signed by the current issuer
// (proxies trust the anchor), and the one place typed errors become gRPC statuses.
import * as grpc from '@grpc/grpc-js';
import { experimental } from '@grpc/grpc-js';
import { loadProto } from '../../api/load.js';
import type { ProtoGrpcType } from '../../api/gen/identity.js';
import type { IdentityHandlers } from '../../api/gen/io/linkerd/proxy/identity/Identity.js';
import type { Address } from '../../lib/address.js';
import { formatAddress } from '../../lib/address.js';
import { errorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import type { CertificateAuthority } from './ca.js';
import type { IssuerManager } from './issuer.js';
import type { SigningCert } from './pki.js';
import { exportKeyPem, generateKeyPair, signLeaf } from './pki.js';

/** The identity service's own name: its serving certificate names this workload. */
export function identityServiceId(trustDomain: string): WorkloadId {
  return Object.freeze({ trustDomain, namespace: 'weft', serviceAccount: 'identity' });
}

/** gRPC status for an error raised while certifying. */
export function statusFor(err: unknown): grpc.status {
  switch (errorCode(err)) {
    case 'WEFT_ERR_CERTIFY_INVALID':
      return grpc.status.INVALID_ARGUMENT;
    case 'WEFT_ERR_CERTIFY_DENIED':
      return grpc.status.PERMISSION_DENIED;
    case 'WEFT_ERR_TOKEN_INVALID':
      return grpc.status.UNAUTHENTICATED;
    // The token could not be checked (the Kubernetes API is down or refused the review): the
    // proxy should retry, so say so rather than INTERNAL.
    case 'WEFT_ERR_KUBE_UNREACHABLE':
    case 'WEFT_ERR_KUBE_API':
      return grpc.status.UNAVAILABLE;
    default:
      return grpc.status.INTERNAL;
  }
}

/**
 * Feeds grpc-js the serving certificate and replaces it whenever the issuer rotates, so the
 * serving cert never outlives (nor is signed by a retired) issuer.
 */
class ServingCertProvider implements experimental.CertificateProvider {
  private latest: experimental.IdentityCertificateUpdate | null = null;
  private readonly listeners = new Set<experimental.IdentityCertificateUpdateListener>();
  constructor(private readonly id: WorkloadId, private readonly now: () => number) {}

  async update(issuer: SigningCert): Promise<void> {
    const keys = await generateKeyPair();
    const leaf = await signLeaf({ issuer, publicKey: keys.publicKey, id: this.id, now: this.now(), lifetimeMs: Infinity });
    this.latest = {
      certificate: Buffer.from(leaf.toString('pem') + '\n' + issuer.cert.toString('pem') + '\n'),
      privateKey: Buffer.from(await exportKeyPem(keys.privateKey)),
    };
    for (const l of this.listeners) l(this.latest);
  }
  addCaCertificateListener(): void {}
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    this.listeners.add(l);
    // Deliver after grpc-js has finished registering its watcher (a synchronous call is lost).
    process.nextTick(() => {
      if (this.latest && this.listeners.has(l)) l(this.latest);
    });
  }
  removeIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    this.listeners.delete(l);
  }
}

export interface IdentityServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startIdentityServer(opts: {
  ca: CertificateAuthority;
  issuer: IssuerManager;
  listen: Address;
  now?: () => number;
  log?: Logger;
}): Promise<IdentityServer> {
  const proto = loadProto('identity.proto') as unknown as ProtoGrpcType;
  const handlers: IdentityHandlers = {
    Certify(call, callback) {
      const req = call.request;
      opts.ca
        .certify({ identity: req.identity, token: req.token, csr: req.certificateSigningRequest })
        .then(
          (out) => {
            const ms = out.validUntil.getTime();
            callback(null, {
              leafCertificate: out.leaf,
              intermediateCertificates: out.intermediates,
              validUntil: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
            });
          },
          (err: unknown) => {
            const code = statusFor(err);
            if (code === grpc.status.INTERNAL || code === grpc.status.UNAVAILABLE) opts.log?.error('certify failed', { error: err as Error });
            else opts.log?.info('certify refused', { identity: req.identity, code: errorCode(err), reason: (err as Error).message });
            callback({ code, details: code === grpc.status.INTERNAL ? 'internal error' : code === grpc.status.UNAVAILABLE ? 'cannot check the token now' : (err as Error).message });
          },
        );
    },
  };

  const provider = new ServingCertProvider(identityServiceId(opts.ca.trustDomain), opts.now ?? Date.now);
  await provider.update(opts.issuer.current());
  const unsubscribe = opts.issuer.onRotate((issuer) => {
    provider.update(issuer).catch((err: unknown) => opts.log?.error('serving certificate update failed', { error: err as Error }));
  });

  const server = new grpc.Server();
  server.addService(proto.io.linkerd.proxy.identity.Identity.service, handlers);
  // grpc-js names its first parameter caCertificateProvider but uses it as the identity provider.
  const creds = experimental.createCertificateProviderServerCredentials(provider, null, false);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatAddress(opts.listen), creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
  opts.log?.info('identity service listening', { address: formatAddress({ host: opts.listen.host, port }) });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
