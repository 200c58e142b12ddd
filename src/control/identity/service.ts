// `weft identity serve` as a library call: read the CA directory, keep an issuer, serve Certify.
// The local runtime calls startIdentityService() and issueJoinToken() on the handle.
import type { Address } from '../../lib/address.js';
import type { Logger } from '../../lib/log.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { CertificateAuthority } from './ca.js';
import { IssuerManager } from './issuer.js';
import { loadCaDirectory, writeIssuer } from './store.js';
import type { IdentityServer } from './server.js';
import { startIdentityServer } from './server.js';
import { JoinTokens, createTokenVerifier } from './tokens.js';

export interface IdentityServiceOptions {
  readonly dir: string;
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
  const material = await loadCaDirectory(opts.dir, opts.trustDomain);
  const issuer = new IssuerManager({
    trustDomain: material.trustDomain,
    anchor: material.anchor,
    initial: material.issuer,
    lifetimeMs: opts.issuerLifetimeMs,
    now,
    persist: (i) => writeIssuer(opts.dir, i),
    log: opts.log?.child('issuer'),
  });
  await issuer.start();
  const joinTokens = new JoinTokens(material.joinSecret, now);
  const verifier = createTokenVerifier(opts.tokenKind ?? 'local', { dir: opts.dir, secret: material.joinSecret, now });
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
      issuer.close();
      await server.close();
    },
  };
}
