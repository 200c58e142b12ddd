// Reading the SPIFFE identity out of a peer's (already chain-verified) certificate.
import type { PeerCertificate } from 'node:tls';

/** The first `URI:spiffe://...` subject alternative name, if any. */
export function spiffeFromCertificate(cert: PeerCertificate | undefined): string | undefined {
  return spiffeFromSubjectAltName(cert?.subjectaltname);
}

/** Same, from Node's subjectaltname string ("DNS:a, URI:spiffe://..."). */
export function spiffeFromSubjectAltName(san: string | undefined): string | undefined {
  if (!san) return undefined;
  for (const part of san.split(', ')) {
    // Node quotes values holding special characters; weft identities never need quoting.
    const m = /^URI:(spiffe:\/\/\S+)$/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}
