// The proxy's key and certificate signing request. The key is generated in memory at start
// and never written anywhere; it is exported (PKCS#8 PEM) only to build Node TLS contexts.
import { webcrypto } from 'node:crypto';
import { x509 } from '../../lib/x509.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { formatDnsName, formatSpiffe } from '../../lib/spiffe.js';


const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface ProxyKey {
  readonly keys: CryptoKeyPair;
  readonly keyPem: string;
  /** DER SubjectPublicKeyInfo, to check that a returned leaf certifies this key. */
  readonly spkiDer: Buffer;
}

export async function generateProxyKey(): Promise<ProxyKey> {
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return { keys, keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), spkiDer: Buffer.from(spki) };
}

/** DER PKCS#10 asking for `id` (DNS-style name and SPIFFE URI as SANs). */
export async function buildCsr(key: ProxyKey, id: WorkloadId): Promise<Buffer> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${formatDnsName(id)}`,
    keys: key.keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: formatDnsName(id) },
        { type: 'url', value: formatSpiffe(id) },
      ]),
    ],
  });
  return Buffer.from(csr.rawData);
}
