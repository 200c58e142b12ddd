// `weft identity serve` as a library call: read the CA (a directory, or on Kubernetes the
// issuer Secret), keep an issuer, serve Certify. The local runtime calls startIdentityService()
// and issueJoinToken() on the handle.
import type { Address } from '../../lib/address.js';
import type { Logger } from '../../lib/log.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { CertificateAuthority } from './ca.js';
import { IssuerManager } from './issuer.js';
import { loadCaDirectory, writeIssuer } from './store.js';
import type { CaMaterial } from './store.js';
import { CaDirectoryError } from './errors.js';
import { DEFAULT_TRUST_DOMAIN } from '../../lib/spiffe.js';
import type { IdentityServer } from './server.js';
import { startIdentityServer } from './server.js';
import { JoinTokens, createTokenVerifier } from './tokens.js';

export interface IdentityServiceOptions {
  /** The CA directory (local). */
  readonly dir?: string;
  /** Kubernetes: the issuer Secret ("<ns>/<name>"), read through the API instead of a directory. */
  readonly issuerSecret?: string;
  /** Kubernetes: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  /** Kubernetes verifier: the audience proxies' tokens are minted for. */
  readonly tokenAudience?: string;
  /** How often the issuer Secret is re-read for a rotated issuer (default 60 s). */
  readonly issuerSecretPollMs?: number;
  readonly listen: Address;
  readonly trustDomain?: string;
  readonly issuerLifetimeMs?: number;
  readonly leafLifetimeMs?: number;
  /** Token verifier kind (registry in tokens.ts); default 'local'. */
  readonly tokenKind?: string;
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface IdentityService {
  readonly port: number;
  readonly trustDomain: string;
  /** The trust anchor (PEM) proxies must be configured with. */
  readonly trustAnchorPem: string;
  readonly ca: CertificateAuthority;
  readonly issuer: IssuerManager;
  /** A local join token proving `id` (for the local runtime to hand to a proxy). */
  issueJoinToken(id: WorkloadId, ttlMs?: number): string;
  close(): Promise<void>;
}

export async function startIdentityService(opts: IdentityServiceOptions): Promise<IdentityService> {
  const now = opts.now ?? Date.now;
  let material: CaMaterial;
  let stopFollowing = (): void => undefined;
  let followSecret: ((issuer: IssuerManager) => void) | undefined;
  if (opts.issuerSecret) {
    // Loaded only here: the local runtime never needs the Kubernetes client.
    const [{ loadKubeConfig }, secrets] = await Promise.all([import('../../lib/kube.js'), import('./issuer-secret.js')]);
    const kc = loadKubeConfig({ kubeconfig: opts.kubeconfig });
    const ref = secrets.parseSecretRef(opts.issuerSecret, 'weft');
    const trustDomain = opts.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    material = await secrets.loadIssuerSecret(kc, ref, trustDomain);
    followSecret = (i) => (stopFollowing = secrets.followIssuerSecret(kc, ref, trustDomain, i, opts.issuerSecretPollMs ?? 60_000, opts.log));
  } else if (opts.dir) {
    material = await loadCaDirectory(opts.dir, opts.trustDomain);
  } else {
    throw new CaDirectoryError('no CA: give a CA directory or, on Kubernetes, the issuer secret');
  }
  const dir = opts.dir;
  const issuer = new IssuerManager({
    trustDomain: material.trustDomain,
    anchor: material.anchor,
    initial: material.issuer,
    lifetimeMs: opts.issuerLifetimeMs,
    now,
    persist: dir ? (i) => writeIssuer(dir, i) : undefined,
    log: opts.log?.child('issuer'),
  });
  await issuer.start();
  followSecret?.(issuer);
  const joinTokens = new JoinTokens(material.joinSecret, now);
  const verifier = createTokenVerifier(opts.tokenKind ?? 'local', {
    dir, secret: material.joinSecret, now, kubeconfig: opts.kubeconfig, audience: opts.tokenAudience, trustDomain: material.trustDomain,
  });
  const ca = new CertificateAuthority({
    trustDomain: material.trustDomain,
    issuer,
    verifier,
    leafLifetimeMs: opts.leafLifetimeMs,
    now,
    log: opts.log,
  });
  let server: IdentityServer;
  try {
    server = await startIdentityServer({ ca, issuer, listen: opts.listen, now, log: opts.log });
  } catch (err) {
    stopFollowing();
    issuer.close();
    throw err;
  }
  return {
    port: server.port,
    trustDomain: material.trustDomain,
    trustAnchorPem: material.anchorCert.toString('pem') + '\n',
    ca,
    issuer,
    issueJoinToken: (id, ttlMs) => joinTokens.issue(id, ttlMs),
    close: async () => {
      stopFollowing();
      issuer.close();
      await server.close();
    },
  };
}
