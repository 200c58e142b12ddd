// The hand-encoded CSR is valid PKCS#10: OpenSSL verifies it, the CA's parser reads the same
// key and names, and the key never appears anywhere but in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { x509 } from '../../../src/lib/x509.js';
import { buildCsr, generateProxyKey } from '../../../src/proxy/identity/csr.js';
import { workloadId } from '../../../src/lib/spiffe.js';

const web = workloadId('shop', 'web-1', 'example.org');

test('openssl verifies the CSR and reads both SANs', async () => {
  const csr = await buildCsr(await generateProxyKey(), web);
  const out = execFileSync('openssl', ['req', '-inform', 'DER', '-verify', '-noout', '-text'], { input: csr, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  assert.match(out, /DNS:web-1\.shop\.serviceaccount\.identity\.weft\.example\.org, URI:spiffe:\/\/example\.org\/ns\/shop\/sa\/web-1/);
  assert.match(out, /NIST CURVE: P-256/);
  assert.match(out, /ecdsa-with-SHA256/);
});

test('the CA parser sees a verifying request for the same public key', async () => {
  const key = await generateProxyKey();
  const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(await buildCsr(key, web)));
  assert.ok(await csr.verify());
  assert.ok(Buffer.from(csr.publicKey.rawData).equals(key.spkiDer));
  const san = csr.getExtension('2.5.29.17');
  assert.ok(san instanceof x509.SubjectAlternativeNameExtension);
  assert.deepEqual(
    san.names.items.map((n) => `${n.type}:${n.value}`),
    ['dns:web-1.shop.serviceaccount.identity.weft.example.org', 'url:spiffe://example.org/ns/shop/sa/web-1'],
  );
  assert.match(key.keyPem, /^-----BEGIN PRIVATE KEY-----/);
});
