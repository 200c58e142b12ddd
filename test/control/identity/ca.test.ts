// CertificateAuthority.certify on its own: each refusal has its own error code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { x509 } from '../../../src/lib/x509.js';
import { CertificateAuthority } from '../../../src/control/identity/ca.js';
import { IssuerManager } from '../../../src/control/identity/issuer.js';
import { createTrustAnchor } from '../../../src/control/identity/pki.js';
import { JoinTokens } from '../../../src/control/identity/tokens.js';
import { buildCsr, generateProxyKey } from '../../../src/proxy/identity/csr.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { errorCode } from '../../../src/lib/errors.js';

const web = workloadId('shop', 'web');

async function setup() {
  const anchor = await createTrustAnchor({ trustDomain: 'cluster.local', now: Date.now() });
  const issuer = new IssuerManager({ trustDomain: 'cluster.local', anchor, initial: undefined });
  await issuer.start();
  const tokens = new JoinTokens(Buffer.alloc(32, 1));
  const ca = new CertificateAuthority({ trustDomain: 'cluster.local', issuer, verifier: tokens, leafLifetimeMs: 60_000 });
  return { ca, tokens, issuer };
}

async function csrWith(names: x509.JsonGeneralName[], alg: EcKeyGenParams | RsaHashedKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' }) {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const signingAlgorithm = alg.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : alg;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=x',
    keys,
    signingAlgorithm,
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return Buffer.from(csr.rawData);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return errorCode(err);
  }
}

test('a leaf is capped by the requested lifetime and names the identity', async (t) => {
  const { ca, tokens, issuer } = await setup();
  t.after(() => issuer.close());
  const out = await ca.certify({ identity: formatSpiffe(web), token: Buffer.from(tokens.issue(web)), csr: await buildCsr(await generateProxyKey(), web) });
  assert.ok(out.validUntil.getTime() <= Date.now() + 60_000);
  assert.equal(out.intermediates.length, 1);
});

test('a CSR whose signature does not verify is CERTIFY_INVALID', async (t) => {
  const { ca, tokens, issuer } = await setup();
  t.after(() => issuer.close());
  const csr = await buildCsr(await generateProxyKey(), web);
  csr[csr.length - 1] = (csr[csr.length - 1] as number) ^ 0x01; // last byte of the signature's s
  await assert.rejects(ca.certify({ identity: formatDnsName(web), token: Buffer.from(tokens.issue(web)), csr }), (err: Error) => {
    assert.equal(errorCode(err), 'WEFT_ERR_CERTIFY_INVALID');
    assert.match(err.message, /signature/);
    return true;
  });
});

test('CSR keys other than ECDSA P-256 and CSRs without SANs are CERTIFY_INVALID', async (t) => {
  const { ca, tokens, issuer } = await setup();
  t.after(() => issuer.close());
  const token = Buffer.from(tokens.issue(web));
  const sans: x509.JsonGeneralName[] = [{ type: 'dns', value: formatDnsName(web) }];
  const p384 = await csrWith(sans, { name: 'ECDSA', namedCurve: 'P-384' });
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token, csr: p384 })), 'WEFT_ERR_CERTIFY_INVALID');
  const rsa = await csrWith(sans, { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token, csr: rsa })), 'WEFT_ERR_CERTIFY_INVALID');
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token, csr: await csrWith([]) })), 'WEFT_ERR_CERTIFY_INVALID');
  // Linkerd proxies ask with the DNS name only: accepted.
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token, csr: await csrWith(sans) })), 'OK');
});

test('a CSR naming anything beyond the identity is CERTIFY_DENIED', async (t) => {
  const { ca, tokens, issuer } = await setup();
  t.after(() => issuer.close());
  const token = Buffer.from(tokens.issue(web));
  const extra = await csrWith([
    { type: 'dns', value: formatDnsName(web) },
    { type: 'dns', value: 'evil.example.com' },
  ]);
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token, csr: extra })), 'WEFT_ERR_CERTIFY_DENIED');
  const other = workloadId('shop', 'web', 'other.domain');
  assert.equal(
    await code(ca.certify({ identity: formatDnsName(other), token, csr: await buildCsr(await generateProxyKey(), other) })),
    'WEFT_ERR_CERTIFY_DENIED',
  );
});

test('an expired or forged token is TOKEN_INVALID', async (t) => {
  const { ca, tokens, issuer } = await setup();
  t.after(() => issuer.close());
  const csr = await buildCsr(await generateProxyKey(), web);
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token: Buffer.from(tokens.issue(web, -1)), csr })), 'WEFT_ERR_TOKEN_INVALID');
  const good = tokens.issue(web);
  const forged = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
  assert.equal(await code(ca.certify({ identity: formatDnsName(web), token: Buffer.from(forged), csr })), 'WEFT_ERR_TOKEN_INVALID');
});
