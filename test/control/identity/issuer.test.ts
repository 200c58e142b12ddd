// Issuer rotation with lifetimes of seconds: new issuers chain to the same anchor, are
// persisted, and leaves signed before a rotation still verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startIdentityService } from '../../../src/control/identity/service.js';
import { CA_FILES, initCaDirectory } from '../../../src/control/identity/store.js';
import { IssuerManager } from '../../../src/control/identity/issuer.js';
import { createTrustAnchor } from '../../../src/control/identity/pki.js';
import { buildCsr, generateProxyKey } from '../../../src/proxy/identity/csr.js';
import { formatDnsName, workloadId } from '../../../src/lib/spiffe.js';
import { certifyRaw, tempDir } from './helpers.js';

const web = workloadId('shop', 'web');

test('the issuer rotates at half its lifetime and the new one is persisted', async (t) => {
  const dir = await tempDir(t);
  await initCaDirectory({ dir, issuerLifetimeMs: 2000 });
  // A 2 s issuer is rotated about every second (at half its lifetime).
  const svc = await startIdentityService({ dir, listen: { host: '127.0.0.1', port: 0 }, issuerLifetimeMs: 2000, leafLifetimeMs: 60_000 });
  t.after(() => svc.close());
  const key = await generateProxyKey();
  const req = async () =>
    certifyRaw(svc.port, svc.trustAnchorPem, {
      identity: formatDnsName(web),
      token: Buffer.from(svc.issueJoinToken(web)),
      certificateSigningRequest: await buildCsr(key, web),
    });
  const before = await req();
  assert.ok(before.ok);
  const firstSerial = svc.issuer.current().cert.serialNumber;
  const rotations = svc.issuer.rotations;
  await new Promise<void>((resolve) => {
    const off = svc.issuer.onRotate(() => {
      off();
      resolve();
    });
  });
  assert.ok(svc.issuer.rotations > rotations);
  assert.notEqual(svc.issuer.current().cert.serialNumber, firstSerial);
  const after = await req();
  assert.ok(after.ok, JSON.stringify(after));
  const anchor = new X509Certificate(svc.trustAnchorPem);
  for (const r of [before, after]) {
    const leaf = new X509Certificate(r.res.leafCertificate);
    const issuer = new X509Certificate(r.res.intermediateCertificates[0] as Buffer);
    assert.ok(leaf.verify(issuer.publicKey) && issuer.verify(anchor.publicKey));
    // A leaf never outlives its issuer.
    assert.ok(new Date(leaf.validTo) <= new Date(issuer.validTo));
  }
  const onDisk = new X509Certificate(await readFile(join(dir, CA_FILES.issuerCert)));
  assert.equal(onDisk.serialNumber.toLowerCase(), svc.issuer.current().cert.serialNumber.toLowerCase());
});

test('without the anchor key the issuer is used as is and never rotated', async (t) => {
  const anchor = await createTrustAnchor({ trustDomain: 'cluster.local', now: Date.now() });
  const withKey = new IssuerManager({ trustDomain: 'cluster.local', anchor, initial: undefined, lifetimeMs: 3600_000 });
  await withKey.start();
  withKey.close();
  const m = new IssuerManager({ trustDomain: 'cluster.local', anchor: undefined, initial: withKey.current() });
  t.after(() => m.close());
  await m.start();
  assert.equal(m.current(), withKey.current());
  await assert.rejects(m.rotate(), /anchor key/);
});

test('rotation listeners run for each new issuer', async (t) => {
  const anchor = await createTrustAnchor({ trustDomain: 'cluster.local', now: Date.now() });
  const m = new IssuerManager({ trustDomain: 'cluster.local', anchor, initial: undefined, lifetimeMs: 3600_000 });
  t.after(() => m.close());
  await m.start();
  const seen: string[] = [];
  m.onRotate((i) => seen.push(i.cert.serialNumber));
  await m.rotate();
  await m.rotate();
  assert.equal(seen.length, 2);
  assert.equal(seen[1], m.current().cert.serialNumber);
  assert.equal(m.rotations, 3);
});
