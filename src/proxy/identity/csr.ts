// The proxy's key and certificate signing request. The key is generated in memory at start
// and never written anywhere; it is exported (PKCS#8 PEM) only to build Node TLS contexts.
//
// Why the CSR is encoded by hand: @peculiar/x509 (with tsyringe and asn1js) adds ~20 MB RSS
// to a process (measured), about half an idle proxy. A P-256 PKCS#10 request is a handful of
// fixed DER structures (RFC 2986), written out below; the CA parses it with @peculiar/x509.
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { WorkloadId } from '../../lib/spiffe.js';
import { formatDnsName, formatSpiffe } from '../../lib/spiffe.js';

export interface ProxyKey {
  readonly privateKey: KeyObject;
  readonly keyPem: string;
  /** DER SubjectPublicKeyInfo, to check that a returned leaf certifies this key. */
  readonly spkiDer: Buffer;
}

export async function generateProxyKey(): Promise<ProxyKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

// --- minimal DER -----------------------------------------------------------------------------
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else if (n < 0x100) len = Buffer.from([0x81, n]);
  else len = Buffer.from([0x82, n >> 8, n & 0xff]); // our requests stay far below 64 KiB
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const SEQUENCE = 0x30;
const SET = 0x31;
const oid = (hex: string) => Buffer.from(`06${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`, 'hex');
const OID_COMMON_NAME = oid('550403'); // 2.5.4.3
const OID_EXTENSION_REQUEST = oid('2a864886f70d01090e'); // 1.2.840.113549.1.9.14
const OID_SUBJECT_ALT_NAME = oid('551d11'); // 2.5.29.17
const OID_ECDSA_SHA256 = oid('2a8648ce3d040302'); // 1.2.840.10045.4.3.2

/** DER PKCS#10 asking for `id`: subject CN and SANs (DNS-style name, SPIFFE URI), ECDSA-SHA256. */
export async function buildCsr(key: ProxyKey, id: WorkloadId): Promise<Buffer> {
  const dns = formatDnsName(id);
  const uri = formatSpiffe(id);
  const subject = tlv(SEQUENCE, tlv(SET, tlv(SEQUENCE, OID_COMMON_NAME, tlv(0x0c, Buffer.from(dns, 'utf8')))));
  const generalNames = tlv(SEQUENCE, tlv(0x82, Buffer.from(dns, 'ascii')), tlv(0x86, Buffer.from(uri, 'ascii')));
  const extensions = tlv(SEQUENCE, tlv(SEQUENCE, OID_SUBJECT_ALT_NAME, tlv(0x04, generalNames)));
  const attributes = tlv(0xa0, tlv(SEQUENCE, OID_EXTENSION_REQUEST, tlv(SET, extensions)));
  const info = tlv(SEQUENCE, Buffer.from([0x02, 0x01, 0x00]), subject, key.spkiDer, attributes);
  const signature = sign('sha256', info, { key: key.privateKey, dsaEncoding: 'der' });
  return tlv(SEQUENCE, info, tlv(SEQUENCE, OID_ECDSA_SHA256), tlv(0x03, Buffer.from([0]), signature));
}
