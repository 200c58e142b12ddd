// weft-identity: the issuer Secret holds a usable issuer under valid trust anchors, neither
// close to expiry, and the anchors proxies are given (weft-config) are the ones in the Secret.
import { x509 } from '../../../lib/x509.js';
import { trustRootSha256 } from '../../../control/injector/config.js';
import { checkIssuer } from '../identity-pki.js';
import { ISSUER_SECRET, NAMESPACE } from '../names.js';
import type { CheckContext } from './context.js';
import { EXPIRY_WARNING_MS, expiresIn, injectorConfig, secretData, secretField } from './reads.js';
import type { Category } from './types.js';
import { CheckFailure, CheckWarning } from './types.js';

const ROTATE = `replace the issuer in secret ${NAMESPACE}/${ISSUER_SECRET} (tls.crt/tls.key, signed by a trust anchor in ca.crt); identity picks it up within a minute`;

function certs(pem: string, what: string): x509.X509Certificate[] {
  try {
    const all = x509.PemConverter.decode(pem).map((d) => new x509.X509Certificate(d));
    if (all.length) return all;
  } catch {
    // reported below
  }
  throw new CheckFailure(`${what}: no readable PEM certificate`);
}

async function anchors(ctx: CheckContext): Promise<x509.X509Certificate[]> {
  return certs(await secretField(ctx, ISSUER_SECRET, 'ca.crt'), `secret ${ISSUER_SECRET} ca.crt`);
}

async function issuer(ctx: CheckContext): Promise<x509.X509Certificate> {
  return certs(await secretField(ctx, ISSUER_SECRET, 'tls.crt'), `secret ${ISSUER_SECRET} tls.crt`)[0] as x509.X509Certificate;
}

export const weftIdentity: Category = {
  name: 'weft-identity',
  checks: [
    {
      description: 'certificate config is valid',
      hint: `secret ${NAMESPACE}/${ISSUER_SECRET} must hold ca.crt (trust anchors), tls.crt (issuer) and tls.key`,
      run: async (ctx) => {
        const d = await secretData(ctx, ISSUER_SECRET);
        const gone = ['ca.crt', 'tls.crt', 'tls.key'].filter((k) => !d[k]);
        if (gone.length) throw new CheckFailure(`secret ${NAMESPACE}/${ISSUER_SECRET} lacks ${gone.join(', ')}`);
      },
    },
    {
      description: 'trust anchors are within their validity period',
      hint: 'generate new trust anchors and roll them out (docs/kubernetes.md, "Rotating the trust anchors")',
      run: async (ctx) => {
        const bad = (await anchors(ctx)).filter((a) => a.notAfter.getTime() <= ctx.now || a.notBefore.getTime() > ctx.now + 60_000);
        if (bad.length) throw new CheckFailure(bad.map((a) => `${a.subject} is valid from ${a.notBefore.toISOString()} to ${a.notAfter.toISOString()}`).join('\n'));
      },
    },
    {
      description: 'trust anchors are valid for at least 60 days',
      hint: 'rotate the trust anchors before they expire (docs/kubernetes.md, "Rotating the trust anchors")',
      run: async (ctx) => {
        const soon = (await anchors(ctx)).filter((a) => a.notAfter.getTime() - ctx.now < EXPIRY_WARNING_MS);
        if (soon.length) throw new CheckWarning(soon.map((a) => `${a.subject} ${expiresIn(a.notAfter.getTime() - ctx.now)}`).join('\n'));
      },
    },
    {
      description: 'issuer certificate is issued by the trust anchors and valid',
      hint: ROTATE,
      run: async (ctx) => {
        const d = await secretData(ctx, ISSUER_SECRET);
        const problems = await checkIssuer({ trustAnchorsPem: d['ca.crt'] ?? '', issuerCertPem: d['tls.crt'] ?? '', issuerKeyPem: d['tls.key'] ?? '' }, ctx.now);
        if (problems.length) throw new CheckFailure(problems.join('\n'));
      },
    },
    {
      description: 'issuer certificate is valid for at least 60 days',
      hint: ROTATE,
      run: async (ctx) => {
        const left = (await issuer(ctx)).notAfter.getTime() - ctx.now;
        if (left < EXPIRY_WARNING_MS) throw new CheckWarning(`the issuer certificate ${expiresIn(left)}`);
        return expiresIn(left);
      },
    },
    {
      description: 'proxies are given the trust anchors identity uses',
      hint: 'weft upgrade | kubectl apply -f - rewrites weft-config from the issuer Secret; then restart meshed pods',
      run: async (ctx) => {
        const c = await injectorConfig(ctx);
        const inSecret = await secretField(ctx, ISSUER_SECRET, 'ca.crt');
        if (trustRootSha256(c.trustAnchorsPem) !== trustRootSha256(inSecret)) {
          throw new CheckFailure('weft-config gives proxies other trust anchors than the issuer Secret: proxies will not trust the identity service');
        }
      },
    },
  ],
};
