// Certificate building for the CA: ECDSA P-256 keys, the self-signed trust anchor, the issuer
// (intermediate) and proxy leaves. Built on @peculiar/x509 over Node's WebCrypto, so private
// keys are CryptoKeys held in this process and only ever serialised to the CA's own directory.
import { webcrypto } from 'node:crypto';
import { x509 } from '../../lib/x509.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { formatDnsName, formatSpiffe } from '../../lib/spiffe.js';


export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Certificates start this long before "now", so peers with slightly slow clocks accept them. */
export const CLOCK_SKEW_MS = 20_000;

/** notBefore for a certificate made at `now`: backdated by the skew, or a tenth of very short lifetimes. */
export function backdated(now: number, lifetimeMs: number): Date {
  return new Date(now - Math.min(CLOCK_SKEW_MS, lifetimeMs / 10));
}

export const DAY_MS = 24 * 3600_000;
export const DEFAULT_ANCHOR_LIFETIME_MS = 365 * DAY_MS;
export const DEFAULT_ISSUER_LIFETIME_MS = DAY_MS;
export const DEFAULT_LEAF_LIFETIME_MS = DAY_MS;

/** A CA certificate together with the private key that signs with it. */
export interface SigningCert {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
}

/** A positive random 128-bit serial number in hex (RFC 5280 allows up to 20 octets). */
export function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] as number) & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return Buffer.from(b).toString('hex');
}

export function anchorName(trustDomain: string): string {
  return `CN=root.weft.${trustDomain}`;
}

export function issuerName(trustDomain: string): string {
  return `CN=identity.weft.${trustDomain}`;
}

async function caExtensions(publicKey: CryptoKey, pathLength?: number): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

/** A self-signed root for the trust domain. */
export async function createTrustAnchor(opts: {
  trustDomain: string;
  now: number;
  lifetimeMs?: number;
  keys?: CryptoKeyPair;
}): Promise<SigningCert> {
  const keys = opts.keys ?? (await generateKeyPair());
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: anchorName(opts.trustDomain),
    notBefore: backdated(opts.now, opts.lifetimeMs ?? DEFAULT_ANCHOR_LIFETIME_MS),
    notAfter: new Date(opts.now + (opts.lifetimeMs ?? DEFAULT_ANCHOR_LIFETIME_MS)),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: await caExtensions(keys.publicKey),
  });
  return { cert, key: keys.privateKey };
}

/** An intermediate signed by the anchor; it signs leaves and nothing else (path length 0). */
export async function createIssuer(opts: {
  anchor: SigningCert;
  trustDomain: string;
  now: number;
  lifetimeMs?: number;
}): Promise<SigningCert> {
  const keys = await generateKeyPair();
  const lifetimeMs = opts.lifetimeMs ?? DEFAULT_ISSUER_LIFETIME_MS;
  const notAfter = Math.min(opts.now + lifetimeMs, opts.anchor.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: issuerName(opts.trustDomain),
    issuer: opts.anchor.cert.subject,
    notBefore: backdated(opts.now, lifetimeMs),
    notAfter: new Date(notAfter),
    publicKey: keys.publicKey,
    signingKey: opts.anchor.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      ...(await caExtensions(keys.publicKey, 0)),
      await x509.AuthorityKeyIdentifierExtension.create(opts.anchor.cert),
    ],
  });
  return { cert, key: keys.privateKey };
}

/** Subject alternative names every weft leaf carries: the DNS-style name and the SPIFFE URI. */
export function identitySans(id: WorkloadId): x509.JsonGeneralName[] {
  return [
    { type: 'dns', value: formatDnsName(id) },
    { type: 'url', value: formatSpiffe(id) },
  ];
}

/**
 * Signs a leaf for `id` over `publicKey`. Its lifetime is capped at the issuer's notAfter: a
 * leaf never outlives the certificate that vouches for it (the proxy renews earlier instead).
 */
export async function signLeaf(opts: {
  issuer: SigningCert;
  publicKey: CryptoKey | x509.PublicKey;
  id: WorkloadId;
  now: number;
  lifetimeMs?: number;
  notBefore?: number;
}): Promise<x509.X509Certificate> {
  const lifetimeMs = opts.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS;
  const notAfter = Math.min(opts.now + lifetimeMs, opts.issuer.cert.notAfter.getTime());
  const publicKey = opts.publicKey instanceof x509.PublicKey ? await opts.publicKey.export() : opts.publicKey;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${formatDnsName(opts.id)}`,
    issuer: opts.issuer.cert.subject,
    notBefore: opts.notBefore !== undefined ? new Date(opts.notBefore) : backdated(opts.now, Math.min(lifetimeMs, notAfter - opts.now)),
    notAfter: new Date(notAfter),
    publicKey,
    signingKey: opts.issuer.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(identitySans(opts.id), false),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(opts.issuer.cert),
    ],
  });
}
