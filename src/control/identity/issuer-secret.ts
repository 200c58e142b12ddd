// The CA's material on Kubernetes: a Secret in the control plane's namespace in cert-manager's
// shape (type kubernetes.io/tls: tls.crt = issuer, tls.key = its key, ca.crt = trust anchors),
// read through the API rather than a mounted file — a mounted Secret's key file is group-
// readable under fsGroup, which the CA directory's permission check rightly refuses, and the
// API also lets identity pick up a rotated issuer without a restart. The anchor's key is never
// in the cluster: the issuer is used as it is and replaced by whoever rotates the Secret.
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall } from '../../lib/kube.js';
import type { Logger } from '../../lib/log.js';
import { x509 } from '../../lib/x509.js';
import { CaDirectoryError } from './errors.js';
import type { IssuerManager } from './issuer.js';
import type { SigningCert } from './pki.js';
import { KEY_ALGORITHM } from './pki.js';
import type { CaMaterial } from './store.js';
import { keyMatches } from './store.js';

export const SECRET_KEYS = Object.freeze({ cert: 'tls.crt', key: 'tls.key', anchors: 'ca.crt' });

export interface IssuerSecretRef {
  readonly namespace: string;
  readonly name: string;
}

export function parseSecretRef(s: string, defaultNamespace: string): IssuerSecretRef {
  const [a, b] = s.split('/');
  return b === undefined ? { namespace: defaultNamespace, name: a as string } : { namespace: a as string, name: b };
}

/** PKCS#8, SEC1 ("EC PRIVATE KEY", cert-manager's default) or PKCS#1 PEM -> a WebCrypto signing key. */
async function importAnyKeyPem(pem: string, where: string): Promise<CryptoKey> {
  try {
    const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    return await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
  } catch (err) {
    throw new CaDirectoryError(`${where}: not an ECDSA P-256 private key in PEM`, { cause: err });
  }
}

function certs(pem: string, where: string): x509.X509Certificate[] {
  try {
    const all = x509.PemConverter.decode(pem).map((der) => new x509.X509Certificate(der));
    if (all.length === 0) throw new Error('no certificate');
    return all;
  } catch (err) {
    throw new CaDirectoryError(`${where}: no PEM certificate`, { cause: err });
  }
}

/** Reads and checks the issuer Secret: the key matches the certificate, an anchor signed it. */
export async function loadIssuerSecret(kc: KubeConfig, ref: IssuerSecretRef, trustDomain: string): Promise<CaMaterial & { readonly anchorsPem: string }> {
  const api = kc.makeApiClient(CoreV1Api);
  const secret = await kubeCall(kc, `read secret ${ref.namespace}/${ref.name}`, () => api.readNamespacedSecret(ref));
  const where = `secret ${ref.namespace}/${ref.name}`;
  const field = (k: string): string => {
    const v = secret.data?.[k];
    if (!v) throw new CaDirectoryError(`${where} has no ${k}`);
    return Buffer.from(v, 'base64').toString('utf8');
  };
  const anchorsPem = field(SECRET_KEYS.anchors);
  const anchors = certs(anchorsPem, `${where} ${SECRET_KEYS.anchors}`);
  const [cert] = certs(field(SECRET_KEYS.cert), `${where} ${SECRET_KEYS.cert}`) as [x509.X509Certificate];
  const key = await importAnyKeyPem(field(SECRET_KEYS.key), `${where} ${SECRET_KEYS.key}`);
  if (!(await keyMatches(cert, key))) throw new CaDirectoryError(`${where}: ${SECRET_KEYS.key} does not match ${SECRET_KEYS.cert}`);
  let anchorCert: x509.X509Certificate | undefined;
  for (const a of anchors) if (await cert.verify({ publicKey: a.publicKey, signatureOnly: true })) anchorCert = a;
  if (!anchorCert) throw new CaDirectoryError(`${where}: ${SECRET_KEYS.cert} is not signed by any certificate in ${SECRET_KEYS.anchors}`);
  const issuer: SigningCert = { cert, key };
  // No join tokens on Kubernetes (service-account tokens prove identities); the CA still wants a secret.
  return { trustDomain, anchorCert, anchor: undefined, issuer, joinSecret: randomBytes(32), anchorsPem };
}

/** Re-reads the Secret every `periodMs` and installs a changed issuer. Returns a stop function. */
export function followIssuerSecret(kc: KubeConfig, ref: IssuerSecretRef, trustDomain: string, issuer: IssuerManager, periodMs: number, log?: Logger): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    loadIssuerSecret(kc, ref, trustDomain)
      .then((m) => {
        if (m.issuer && m.issuer.cert.serialNumber !== issuer.current().cert.serialNumber) issuer.replace(m.issuer);
      })
      .catch((err: unknown) => log?.warn('cannot re-read the issuer secret', { error: err as Error }))
      .finally(() => (busy = false));
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
