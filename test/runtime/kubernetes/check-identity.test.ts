// `weft check`'s weft-identity and weft-data-plane categories against a real API server (no
// control plane running: these checks read the issuer Secret, weft-config and pods), with real
// certificates made by weft's PKI code (@peculiar/x509 over node:crypto) for each case: anchors
// and issuer close to expiry (‼), expired (×), an issuer the anchors did not sign (×), a key
// that is not the issuer's (×), unreadable PEM (×), weft-config giving proxies other anchors
// (×); and meshed pods whose proxy is older than the control plane or trusts other anchors (‼).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_PLANE_NS_LABEL, PROXY_CONTAINER, PROXY_VERSION_ANNOTATION, TRUST_ROOT_ANNOTATION } from '../../../src/control/injector/annotations.js';
import { trustRootSha256 } from '../../../src/control/injector/config.js';
import { DAY_MS, createIssuer, createTrustAnchor, exportKeyPem } from '../../../src/control/identity/pki.js';
import type { SigningCert } from '../../../src/control/identity/pki.js';
import { CheckContext } from '../../../src/runtime/kubernetes/check/context.js';
import { weftDataPlane } from '../../../src/runtime/kubernetes/check/data-plane.js';
import { formatCategory } from '../../../src/runtime/kubernetes/check/format.js';
import { weftIdentity } from '../../../src/runtime/kubernetes/check/identity.js';
import { runChecks } from '../../../src/runtime/kubernetes/check/run.js';
import type { IdentityPki } from '../../../src/runtime/kubernetes/identity-pki.js';
import { renderConfigMaps, renderIssuerSecret, renderNamespace } from '../../../src/runtime/kubernetes/manifests/config.js';
import { toYaml } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import { installValues } from '../../../src/runtime/kubernetes/values.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../../helpers/k8s-cluster.js';

const TD = 'cluster.local';
const values = installValues();
const now = Date.now();

const pem = (c: SigningCert): string => c.cert.toString('pem') + '\n';
const anchor = (bornDaysAgo: number, lifetimeDays: number): Promise<SigningCert> =>
  createTrustAnchor({ trustDomain: TD, now: now - bornDaysAgo * DAY_MS, lifetimeMs: lifetimeDays * DAY_MS });
const issuer = (a: SigningCert, bornDaysAgo: number, lifetimeDays: number): Promise<SigningCert> =>
  createIssuer({ anchor: a, trustDomain: TD, now: now - bornDaysAgo * DAY_MS, lifetimeMs: lifetimeDays * DAY_MS });

async function pki(a: SigningCert, i: SigningCert, key: SigningCert = i): Promise<IdentityPki> {
  return { trustAnchorsPem: pem(a), issuerCertPem: pem(i), issuerKeyPem: await exportKeyPem(key.key) + '\n' };
}

// On a cluster named by KUBECONFIG this would overwrite a real install's Secret.
const skip = k8sSkipReason() ?? (process.env.KUBECONFIG ? 'needs the local test API server (it rewrites weft/weft-identity-issuer)' : undefined);

describe('weft check: identity certificates and data-plane versions, on a real API server', { skip, timeout: 120_000 }, () => {
  let cluster: KubeCluster;

  before(async () => {
    cluster = await startCluster();
    await cluster.k(['apply', '-f', '-'], toYaml([renderNamespace(values)]));
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Stores the issuer Secret (and weft-config with `configAnchorsPem`), then runs the identity checks. */
  async function identityChecks(p: IdentityPki | Record<string, string>, configAnchorsPem?: string): Promise<string> {
    // Raw data goes in an Opaque Secret: the API server itself refuses a kubernetes.io/tls one without tls.key.
    const secret = 'trustAnchorsPem' in p ? renderIssuerSecret(values, p as IdentityPki) : { ...renderIssuerSecret(values, { trustAnchorsPem: '', issuerCertPem: '', issuerKeyPem: '' }), type: 'Opaque', data: p };
    await cluster.k(['delete', 'secret', 'weft-identity-issuer', '-n', 'weft', '--ignore-not-found']);
    await cluster.k(['create', '-f', '-'], toYaml([secret]));
    const anchors = configAnchorsPem ?? (p as IdentityPki).trustAnchorsPem;
    await cluster.k(['apply', '-f', '-'], toYaml(renderConfigMaps(values, anchors)));
    const ctx = new CheckContext({ kubeconfig: cluster.kubeconfig, pre: false, proxy: false, dryRun: false, cliVersion: values.version, now });
    ctx.init();
    const report = await runChecks([weftIdentity], ctx);
    return formatCategory(report.categories[0] as Parameters<typeof formatCategory>[0]);
  }

  test('a fresh PKI: every identity check passes, and the issuer says how long it has left', async () => {
    const a = await anchor(0, 3650);
    const out = await identityChecks(await pki(a, await issuer(a, 0, 365)));
    assert.doesNotMatch(out, /[\u203c\u00d7]/, out);
    assert.match(out, /\u2714 issuer certificate is valid for at least 60 days \(expires in 36[45] days\)/);
    assert.match(out, /\u2714 proxies are given the trust anchors identity uses/);
  });

  test('anchor and issuer expiring within 60 days: \u203c for each, with the days left and the rotation hint', async () => {
    const a = await anchor(0, 30);
    const out = await identityChecks(await pki(a, await issuer(a, 0, 10)));
    assert.match(out, /\u2714 trust anchors are within their validity period/);
    assert.match(out, /\u203c trust anchors are valid for at least 60 days\n\s+CN=root\.weft\.cluster\.local expires in (29|30) days\n\s+hint: rotate the trust anchors before they expire/);
    assert.match(out, /\u2714 issuer certificate is issued by the trust anchors and valid/);
    assert.match(out, /\u203c issuer certificate is valid for at least 60 days\n\s+the issuer certificate expires in (9|10) days\n\s+hint: replace the issuer in secret weft\/weft-identity-issuer/);
  });

  test('an expired issuer is \u00d7 (expired at …), and its expiry line says how long ago', async () => {
    const a = await anchor(400, 3650);
    const i = await issuer(a, 400, 365);
    const out = await identityChecks(await pki(a, i));
    assert.match(out, new RegExp(`\u00d7 issuer certificate is issued by the trust anchors and valid\\n\\s+the issuer certificate expired at ${i.cert.notAfter.toISOString().replace(/\./g, '\\.')}`));
    assert.match(out, /\u203c issuer certificate is valid for at least 60 days\n\s+the issuer certificate expired 3[45] days ago/);
    assert.match(out, /\u2714 trust anchors are within their validity period/);
  });

  test('an expired trust anchor is \u00d7, named with its validity period', async () => {
    const a = await anchor(400, 365);
    const out = await identityChecks(await pki(a, await issuer(a, 400, 300)));
    assert.match(out, /\u00d7 trust anchors are within their validity period\n\s+CN=root\.weft\.cluster\.local is valid from \S+ to \S+\n\s+hint: generate new trust anchors/);
    assert.match(out, /\u00d7 issuer certificate is issued by the trust anchors and valid\n(\s+.*\n)*\s+trust anchor CN=root\.weft\.cluster\.local expired at/);
  });

  test('an issuer signed by another anchor than the ones in ca.crt is \u00d7', async () => {
    const ours = await anchor(0, 3650);
    const theirs = await anchor(0, 3650);
    const out = await identityChecks(await pki(ours, await issuer(theirs, 0, 365)).then((p) => ({ ...p, trustAnchorsPem: pem(ours) })));
    assert.match(out, /\u00d7 issuer certificate is issued by the trust anchors and valid\n\s+the issuer certificate is not signed by any of the trust anchors\n\s+hint: replace the issuer/);
    // Both anchors in ca.crt (as during a rotation): signed by one of them is enough.
    const both = await identityChecks({ ...(await pki(theirs, await issuer(theirs, 0, 365))), trustAnchorsPem: pem(ours) + pem(theirs) });
    assert.match(both, /\u2714 issuer certificate is issued by the trust anchors and valid/);
  });

  test('an issuer key that is not the certificate\'s, unreadable PEM, a missing key: \u00d7 each, naming the problem', async () => {
    const a = await anchor(0, 3650);
    const mismatched = await identityChecks(await pki(a, await issuer(a, 0, 365), await issuer(a, 0, 365)));
    assert.match(mismatched, /\u00d7 issuer certificate is issued by the trust anchors and valid\n\s+the issuer key does not match the issuer certificate/);
    const good = await pki(a, await issuer(a, 0, 365));
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const garbage = await identityChecks({ 'ca.crt': b64('not a certificate'), 'tls.crt': b64(good.issuerCertPem), 'tls.key': b64(good.issuerKeyPem) }, good.trustAnchorsPem);
    assert.match(garbage, /\u00d7 trust anchors are within their validity period\n\s+secret weft-identity-issuer ca\.crt: no readable PEM certificate/);
    const noKey = await identityChecks({ 'ca.crt': b64(good.trustAnchorsPem), 'tls.crt': b64(good.issuerCertPem) }, good.trustAnchorsPem);
    assert.match(noKey, /\u00d7 certificate config is valid\n\s+secret weft\/weft-identity-issuer lacks tls\.key/);
  });

  test('weft-config giving proxies other anchors than the issuer Secret is \u00d7', async () => {
    const a = await anchor(0, 3650);
    const out = await identityChecks(await pki(a, await issuer(a, 0, 365)), pem(await anchor(0, 3650)));
    assert.match(out, /\u00d7 proxies are given the trust anchors identity uses\n\s+weft-config gives proxies other trust anchors than the issuer Secret/);
  });

  test('meshed pods whose proxy is not the control plane\'s version, or trusts other anchors: \u203c listing them', async () => {
    const a = await anchor(0, 3650);
    const p = await pki(a, await issuer(a, 0, 365));
    await identityChecks(p); // weft-config with these anchors and version values.version
    await cluster.k(['create', 'namespace', 'shop']);
    const pod = (name: string, version: string, anchorsPem: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels: {${CONTROL_PLANE_NS_LABEL}: weft}
  annotations: {${PROXY_VERSION_ANNOTATION}: "${version}", ${TRUST_ROOT_ANNOTATION}: "${trustRootSha256(anchorsPem)}"}
spec:
  containers: [{name: ${PROXY_CONTAINER}, image: example.invalid/weft:1}, {name: app, image: example.invalid/app:1}]
`;
    await cluster.k(['apply', '-f', '-'], pod('current', values.version, p.trustAnchorsPem));
    const dataPlane = async (): Promise<string> => {
      const ctx = new CheckContext({ kubeconfig: cluster.kubeconfig, pre: false, proxy: true, namespace: 'shop', dryRun: false, cliVersion: values.version, now });
      ctx.init();
      return formatCategory((await runChecks([weftDataPlane], ctx)).categories[0] as Parameters<typeof formatCategory>[0]);
    };
    const fine = await dataPlane();
    assert.doesNotMatch(fine, /[\u203c\u00d7]/, fine);
    await cluster.k(['apply', '-f', '-'], pod('old-proxy', '0.0.9', p.trustAnchorsPem));
    await cluster.k(['apply', '-f', '-'], pod('old-anchors', values.version, pem(await anchor(0, 3650))));
    const out = await dataPlane();
    assert.match(out, new RegExp(`\u203c data plane proxies are the control plane's version\\n\\s+proxies not at ${values.version.replace(/\./g, '\\.')}:\\n\\s+shop/old-proxy \\(0\\.0\\.9\\)\\n\\s+hint: restart the pods`));
    assert.doesNotMatch(out, /shop\/current/);
    assert.match(out, /\u203c data plane proxies trust the current trust anchors\n\s+proxies with other trust anchors:\n\s+shop\/old-anchors\n\s+hint:/);
  });
});
