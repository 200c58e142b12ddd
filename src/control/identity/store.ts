// The CA's directory. `weft identity init` writes it; `weft identity serve` reads it. Users may
// bring their own anchor and issuer instead (same file names, PEM). Private keys are refused
// when group/world-readable, before anything is served.
//
//   trust-anchor.crt   self-signed root (public; hand it to proxies)
//   trust-anchor.key   root key (optional: without it the issuer cannot be rotated)
//   issuer.crt/.key    intermediate that signs proxy leaves (rewritten on rotation)
//   join-token.key     HMAC secret for local join tokens
//   trust-domain       the trust domain, one line
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { randomBytes, webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { x509 } from '../../lib/x509.js';
import { DEFAULT_TRUST_DOMAIN, validateWorkloadId } from '../../lib/spiffe.js';
import { CaDirectoryError, KeyPermissionError } from './errors.js';
import type { SigningCert } from './pki.js';
import { SIGNING_ALGORITHM, createIssuer, createTrustAnchor, exportKeyPem, importKeyPem } from './pki.js';
import { JoinTokens, generateJoinTokenSecret } from './tokens.js';

export const CA_FILES = Object.freeze({
  anchorCert: 'trust-anchor.crt',
  anchorKey: 'trust-anchor.key',
  issuerCert: 'issuer.crt',
  issuerKey: 'issuer.key',
  joinSecret: 'join-token.key',
  trustDomain: 'trust-domain',
});

export interface CaMaterial {
  readonly trustDomain: string;
  readonly anchorCert: x509.X509Certificate;
  /** Present when the anchor's key is in the directory (then the issuer can be rotated). */
  readonly anchor: SigningCert | undefined;
  /** Undefined when the directory has no issuer yet (it is then created from the anchor). */
  readonly issuer: SigningCert | undefined;
  readonly joinSecret: Buffer;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Writes a file atomically (temp + rename) with the given mode, so readers never see half. */
async function writeAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

export async function checkKeyPermissions(path: string): Promise<void> {
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0) throw new KeyPermissionError(path, st.mode);
}

export interface InitOptions {
  readonly dir: string;
  readonly trustDomain?: string;
  readonly now?: number;
  readonly anchorLifetimeMs?: number;
  readonly issuerLifetimeMs?: number;
  /** Overwrite existing files (default: refuse). */
  readonly force?: boolean;
}

/** Creates a new trust anchor, issuer and join-token secret in `dir`. Returns the anchor PEM. */
export async function initCaDirectory(opts: InitOptions): Promise<string> {
  const trustDomain = opts.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const why = validateWorkloadId({ trustDomain, namespace: 'x', serviceAccount: 'x' });
  if (why) throw new CaDirectoryError(why);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  if (!opts.force && (await exists(join(opts.dir, CA_FILES.anchorCert)))) {
    throw new CaDirectoryError(`${join(opts.dir, CA_FILES.anchorCert)} exists (use --force to replace the trust anchor)`);
  }
  const now = opts.now ?? Date.now();
  const anchor = await createTrustAnchor({ trustDomain, now, lifetimeMs: opts.anchorLifetimeMs });
  const issuer = await createIssuer({ anchor, trustDomain, now, lifetimeMs: opts.issuerLifetimeMs });
  const f = (n: string) => join(opts.dir, n);
  await writeAtomic(f(CA_FILES.anchorKey), await exportKeyPem(anchor.key), 0o600);
  await writeAtomic(f(CA_FILES.anchorCert), anchor.cert.toString('pem') + '\n', 0o644);
  await writeIssuer(opts.dir, issuer);
  await writeAtomic(f(CA_FILES.joinSecret), generateJoinTokenSecret().toString('hex') + '\n', 0o600);
  await writeAtomic(f(CA_FILES.trustDomain), trustDomain + '\n', 0o644);
  return anchor.cert.toString('pem');
}

/** Persists a (new) issuer, key first, so a restarted CA keeps signing with it. */
export async function writeIssuer(dir: string, issuer: SigningCert): Promise<void> {
  await writeAtomic(join(dir, CA_FILES.issuerKey), await exportKeyPem(issuer.key), 0o600);
  await writeAtomic(join(dir, CA_FILES.issuerCert), issuer.cert.toString('pem') + '\n', 0o644);
}

async function readKey(path: string): Promise<CryptoKey> {
  await checkKeyPermissions(path);
  try {
    return await importKeyPem(await readFile(path, 'utf8'));
  } catch (err) {
    throw new CaDirectoryError(`${path}: not a PKCS#8 ECDSA P-256 private key in PEM`, { cause: err });
  }
}

async function readCert(path: string): Promise<x509.X509Certificate> {
  try {
    return new x509.X509Certificate(await readFile(path, 'utf8'));
  } catch (err) {
    throw new CaDirectoryError(`${path}: cannot read a PEM certificate`, { cause: err });
  }
}

/** Checks that `key` is the private half of `cert` by signing a nonce. */
export async function keyMatches(cert: x509.X509Certificate, key: CryptoKey): Promise<boolean> {
  const nonce = randomBytes(32);
  const sig = await webcrypto.subtle.sign(SIGNING_ALGORITHM, key, nonce);
  const pub = await cert.publicKey.export({ name: 'ECDSA', namedCurve: 'P-256' }, ['verify']);
  return webcrypto.subtle.verify(SIGNING_ALGORITHM, pub, sig, nonce);
}

/** Reads and checks the directory (permissions, chain, key pairs). */
export async function loadCaDirectory(dir: string, trustDomainOverride?: string): Promise<CaMaterial> {
  const f = (n: string) => join(dir, n);
  if (!(await exists(f(CA_FILES.anchorCert)))) {
    throw new CaDirectoryError(`${f(CA_FILES.anchorCert)} not found (run: weft identity init --dir ${dir})`);
  }
  const anchorCert = await readCert(f(CA_FILES.anchorCert));
  if (!(await anchorCert.isSelfSigned())) throw new CaDirectoryError(`${f(CA_FILES.anchorCert)} is not self-signed`);

  let anchor: SigningCert | undefined;
  if (await exists(f(CA_FILES.anchorKey))) {
    const key = await readKey(f(CA_FILES.anchorKey));
    if (!(await keyMatches(anchorCert, key))) throw new CaDirectoryError(`${f(CA_FILES.anchorKey)} does not match ${CA_FILES.anchorCert}`);
    anchor = { cert: anchorCert, key };
  }

  let issuer: SigningCert | undefined;
  if (await exists(f(CA_FILES.issuerCert))) {
    const cert = await readCert(f(CA_FILES.issuerCert));
    const key = await readKey(f(CA_FILES.issuerKey));
    if (!(await keyMatches(cert, key))) throw new CaDirectoryError(`${f(CA_FILES.issuerKey)} does not match ${CA_FILES.issuerCert}`);
    if (!(await cert.verify({ publicKey: anchorCert.publicKey, signatureOnly: true }))) {
      throw new CaDirectoryError(`${f(CA_FILES.issuerCert)} is not signed by ${CA_FILES.anchorCert}`);
    }
    issuer = { cert, key };
  } else if (!anchor) {
    throw new CaDirectoryError(`${dir} has neither an issuer (${CA_FILES.issuerCert}) nor the anchor key to create one`);
  }

  let joinSecret: Buffer;
  if (await exists(f(CA_FILES.joinSecret))) {
    await checkKeyPermissions(f(CA_FILES.joinSecret));
    joinSecret = Buffer.from((await readFile(f(CA_FILES.joinSecret), 'utf8')).trim(), 'hex');
  } else {
    // Brought-your-own anchor and issuer: the join-token secret is ours to make.
    joinSecret = generateJoinTokenSecret();
    await writeAtomic(f(CA_FILES.joinSecret), joinSecret.toString('hex') + '\n', 0o600);
  }

  let trustDomain = trustDomainOverride;
  if (!trustDomain && (await exists(f(CA_FILES.trustDomain)))) {
    trustDomain = (await readFile(f(CA_FILES.trustDomain), 'utf8')).trim();
  }
  return { trustDomain: trustDomain || DEFAULT_TRUST_DOMAIN, anchorCert, anchor, issuer, joinSecret };
}

/** The directory's join-token issuer (for `weft identity token` and the local runtime). */
export async function loadJoinTokens(dir: string, now?: () => number): Promise<JoinTokens> {
  const path = join(dir, CA_FILES.joinSecret);
  await checkKeyPermissions(path).catch((err: unknown) => {
    if (err instanceof KeyPermissionError) throw err;
    throw new CaDirectoryError(`${path} not found (run: weft identity init --dir ${dir})`, { cause: err });
  });
  return new JoinTokens(Buffer.from((await readFile(path, 'utf8')).trim(), 'hex'), now);
}
