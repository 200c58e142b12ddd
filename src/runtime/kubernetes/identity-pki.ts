// The identity PKI `weft install` puts in the cluster: trust anchors (public, also given to
// every proxy) and the issuer with its key (the issuer Secret). Generated, or brought by the
// user (--identity-* files, e.g. from an offline root); either way checked here, before any
// manifest is printed. The anchor's key never goes into the cluster.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../lib/errors.js';
import { x509 } from '../../lib/x509.js';
import { DAY_MS, createIssuer, createTrustAnchor, exportKeyPem } from '../../control/identity/pki.js';

export interface IdentityPki {
  readonly trustAnchorsPem: string;
  readonly issuerCertPem: string;
  readonly issuerKeyPem: string;
}

export async function generateIdentityPki(o: { trustDomain: string; issuerLifetimeDays: number; now?: number }): Promise<IdentityPki> {
  const now = o.now ?? Date.now();
  // The anchor outlives the issuer it signs: ten issuer lifetimes, at least ten years.
  const anchor = await createTrustAnchor({ trustDomain: o.trustDomain, now, lifetimeMs: Math.max(10 * o.issuerLifetimeDays, 3650) * DAY_MS });
  const issuer = await createIssuer({ anchor, trustDomain: o.trustDomain, now, lifetimeMs: o.issuerLifetimeDays * DAY_MS });
  return {
    trustAnchorsPem: anchor.cert.toString('pem') + '\n',
    issuerCertPem: issuer.cert.toString('pem') + '\n',
    issuerKeyPem: await exportKeyPem(issuer.key) + '\n',
  };
}

function certs(pem: string, what: string): x509.X509Certificate[] {
  let out: x509.X509Certificate[];
  try {
    out = x509.PemConverter.decode(pem).map((d) => new x509.X509Certificate(d));
  } catch (err) {
    throw new ConfigError(`${what}: cannot read PEM certificates: ${(err as Error).message}`, { cause: err });
  }
  if (out.length === 0) throw new ConfigError(`${what}: no PEM certificate`);
  return out;
}

/** Checks an issuer against anchors: signed by one, a CA, valid now. Returns problems (empty: fine). */
export async function checkIssuer(pki: IdentityPki, now = Date.now()): Promise<string[]> {
  const problems: string[] = [];
  const anchors = certs(pki.trustAnchorsPem, 'trust anchors');
  const [issuer] = certs(pki.issuerCertPem, 'issuer certificate') as [x509.X509Certificate];
  let signed = false;
  for (const a of anchors) if (await issuer.verify({ publicKey: a.publicKey, signatureOnly: true })) signed = true;
  if (!signed) problems.push('the issuer certificate is not signed by any of the trust anchors');
  const bc = issuer.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) problems.push('the issuer certificate is not a CA certificate (basicConstraints CA:TRUE)');
  if (issuer.notAfter.getTime() <= now) problems.push(`the issuer certificate expired at ${issuer.notAfter.toISOString()}`);
  if (issuer.notBefore.getTime() > now + 60_000) problems.push(`the issuer certificate is not valid before ${issuer.notBefore.toISOString()}`);
  try {
    const pub = createPublicKey(createPrivateKey(pki.issuerKeyPem)).export({ type: 'spki', format: 'der' });
    if (!Buffer.from(issuer.publicKey.rawData).equals(pub)) problems.push('the issuer key does not match the issuer certificate');
  } catch {
    problems.push('the issuer key is not a PEM private key');
  }
  for (const a of anchors) if (a.notAfter.getTime() <= now) problems.push(`trust anchor ${a.subject} expired at ${a.notAfter.toISOString()}`);
  return problems;
}

export interface PkiFiles {
  readonly trustAnchorsFile?: string | undefined;
  readonly issuerCertFile?: string | undefined;
  readonly issuerKeyFile?: string | undefined;
}

/** The user's own PKI from files (all three, or none). */
export async function readIdentityPki(f: PkiFiles): Promise<IdentityPki | undefined> {
  const given = [f.trustAnchorsFile, f.issuerCertFile, f.issuerKeyFile].filter(Boolean).length;
  if (given === 0) return undefined;
  if (given !== 3) {
    throw new ConfigError('give all of --identity-trust-anchors-file, --identity-issuer-certificate-file and --identity-issuer-key-file, or none');
  }
  const read = async (p: string): Promise<string> => {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${p}: ${(err as Error).message}`, { cause: err });
    }
  };
  const pki = {
    trustAnchorsPem: await read(f.trustAnchorsFile as string),
    issuerCertPem: await read(f.issuerCertFile as string),
    issuerKeyPem: await read(f.issuerKeyFile as string),
  };
  const problems = await checkIssuer(pki);
  if (problems.length) throw new ConfigError(`identity certificates: ${problems.join('; ')}`);
  return pki;
}
