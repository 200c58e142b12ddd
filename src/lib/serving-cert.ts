// TLS serving certificates for HTTPS endpoints that are not mesh identities: the admission
// webhooks' certificate (its CA goes into the webhook configurations' caBundle) and, in tests,
// the API server's. ECDSA P-256 over WebCrypto, PEM out, so callers store them in Secrets or
// files as they are.
import { webcrypto } from 'node:crypto';
import { x509 } from './x509.js';

const KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600_000;
/** Backdating, so a peer whose clock is a little slow still accepts a fresh certificate. */
const SKEW_MS = 60_000;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertOptions {
  readonly now?: number;
  readonly lifetimeMs?: number;
  /** Also valid as a TLS client certificate (extended key usage clientAuth), for mutual TLS. */
  readonly clientAuth?: boolean;
}

function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = ((b[0] as number) & 0x7f) | 0x01;
  return Buffer.from(b).toString('hex');
}

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(k: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k), 'PRIVATE KEY') + '\n';
}

function window(o: CertOptions, dflt: number): { notBefore: Date; notAfter: Date } {
  const now = o.now ?? Date.now();
  return { notBefore: new Date(now - SKEW_MS), notAfter: new Date(now + (o.lifetimeMs ?? dflt)) };
}

/** A self-signed CA that signs serving certificates (path length 0). */
export async function createServingCa(commonName: string, o: CertOptions = {}): Promise<PemPair> {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    ...window(o, 3650 * DAY_MS),
    keys: k,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(k.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(k.privateKey) };
}

/** A serving certificate for `dnsNames` and `ips`, signed by `ca`. */
export async function signServingCert(
  ca: PemPair,
  names: { readonly dnsNames: readonly string[]; readonly ips?: readonly string[] },
  o: CertOptions = {},
): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), KEY, false, ['sign']);
  const k = await keys();
  const sans: x509.JsonGeneralName[] = [
    ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...(names.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names.dnsNames[0] ?? names.ips?.[0] ?? 'server'}`,
    issuer: caCert.subject,
    ...window(o, 3650 * DAY_MS),
    publicKey: k.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(o.clientAuth ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth] : [x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans, false),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(k.privateKey) };
}
