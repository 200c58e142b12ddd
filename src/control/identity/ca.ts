// The certificate authority's one operation: check a Certify request and sign a leaf. Pure of
// gRPC (server.ts maps the typed errors to statuses). Checks, in order:
//   1. the request names a valid identity in our trust domain       -> CertifyInvalidError / CertifyDeniedError
//   2. the CSR parses, its signature verifies, its key is ECDSA P-256 -> CertifyInvalidError
//   3. the token proves an identity                                   -> TokenInvalidError
//   4. that identity is the requested one, and the CSR's SANs name
//      exactly it (DNS-style name and/or SPIFFE URI, nothing else)     -> CertifyDeniedError
import { x509 } from '../../lib/x509.js';
import type { Logger } from '../../lib/log.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { formatDnsName, formatSpiffe, parseIdentity, sameWorkload } from '../../lib/spiffe.js';
import { CertifyDeniedError, CertifyInvalidError } from './errors.js';
import type { IssuerManager } from './issuer.js';
import { DEFAULT_LEAF_LIFETIME_MS, signLeaf } from './pki.js';
import type { TokenVerifier } from './tokens.js';

const SAN_OID = '2.5.29.17';
/** Bound on the CSR we are willing to parse (a P-256 CSR is ~300 bytes). */
export const MAX_CSR_BYTES = 8192;

export interface CertifyInput {
  readonly identity: string;
  readonly token: Buffer;
  /** DER-encoded PKCS#10. */
  readonly csr: Buffer;
}

export interface CertifyOutput {
  readonly leaf: Buffer;
  /** Leaf's issuer first; the anchor is not included. */
  readonly intermediates: Buffer[];
  readonly validUntil: Date;
  readonly identity: WorkloadId;
}

export interface CaOptions {
  readonly trustDomain: string;
  readonly issuer: IssuerManager;
  readonly verifier: TokenVerifier;
  readonly leafLifetimeMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

export class CertificateAuthority {
  private readonly now: () => number;
  constructor(private readonly opts: CaOptions) {
    this.now = opts.now ?? Date.now;
  }

  get trustDomain(): string {
    return this.opts.trustDomain;
  }

  async certify(req: CertifyInput): Promise<CertifyOutput> {
    let requested: WorkloadId;
    try {
      requested = parseIdentity(req.identity);
    } catch (err) {
      throw new CertifyInvalidError((err as Error).message, { cause: err });
    }
    if (requested.trustDomain !== this.opts.trustDomain) {
      throw new CertifyDeniedError(`identity ${req.identity} is not in trust domain ${this.opts.trustDomain}`);
    }

    const csr = await parseCsr(req.csr);
    const proven = await this.opts.verifier.verify(req.token);
    if (!sameWorkload(proven, requested)) {
      throw new CertifyDeniedError(`token proves ${formatSpiffe(proven)}, not ${formatSpiffe(requested)}`);
    }
    checkCsrNames(csr, requested);

    const issuer = this.opts.issuer.current();
    const leaf = await signLeaf({
      issuer,
      publicKey: csr.publicKey,
      id: requested,
      now: this.now(),
      lifetimeMs: this.opts.leafLifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS,
    });
    this.opts.log?.debug('certified', { identity: formatSpiffe(requested), serial: leaf.serialNumber });
    return {
      leaf: Buffer.from(leaf.rawData),
      intermediates: [Buffer.from(issuer.cert.rawData)],
      validUntil: leaf.notAfter,
      identity: requested,
    };
  }
}

async function parseCsr(der: Buffer): Promise<x509.Pkcs10CertificateRequest> {
  if (der.length === 0) throw new CertifyInvalidError('certificate_signing_request is empty');
  if (der.length > MAX_CSR_BYTES) throw new CertifyInvalidError(`CSR is larger than ${MAX_CSR_BYTES} bytes`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
  } catch (err) {
    throw new CertifyInvalidError('certificate_signing_request is not a DER PKCS#10 request', { cause: err });
  }
  const alg = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') {
    throw new CertifyInvalidError(`CSR key must be ECDSA P-256, got ${alg.name}${alg.namedCurve ? ' ' + alg.namedCurve : ''}`);
  }
  let ok: boolean;
  try {
    ok = await csr.verify();
  } catch (err) {
    throw new CertifyInvalidError('CSR signature cannot be checked', { cause: err });
  }
  if (!ok) throw new CertifyInvalidError('CSR signature does not verify');
  return csr;
}

/** The CSR must ask for this identity only: every SAN is one of its two names. */
function checkCsrNames(csr: x509.Pkcs10CertificateRequest, id: WorkloadId): void {
  const ext = csr.getExtension(SAN_OID);
  if (!ext) throw new CertifyInvalidError('CSR has no subjectAltName extension');
  let names: readonly x509.GeneralName[];
  try {
    const san = ext instanceof x509.SubjectAlternativeNameExtension ? ext : new x509.SubjectAlternativeNameExtension(ext.rawData);
    names = san.names.items;
  } catch (err) {
    throw new CertifyInvalidError('CSR subjectAltName cannot be parsed', { cause: err });
  }
  if (names.length === 0) throw new CertifyInvalidError('CSR subjectAltName is empty');
  const dns = formatDnsName(id);
  const uri = formatSpiffe(id);
  for (const n of names) {
    if ((n.type === 'dns' && n.value === dns) || (n.type === 'url' && n.value === uri)) continue;
    throw new CertifyDeniedError(`CSR asks for ${n.type}:${n.value}, which is not ${uri}`);
  }
}
