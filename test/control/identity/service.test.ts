// The identity service end to end: a real CA directory, real gRPC over TLS, real CSRs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { initCaDirectory } from '../../../src/control/identity/store.js';
import { startIdentityService } from '../../../src/control/identity/service.js';
import { JoinTokens } from '../../../src/control/identity/tokens.js';
import { buildCsr, generateProxyKey } from '../../../src/proxy/identity/csr.js';
import { formatDnsName, workloadId } from '../../../src/lib/spiffe.js';
import { certifyRaw, tempDir } from './helpers.js';

const web = workloadId('shop', 'web');
const api = workloadId('shop', 'api');

async function start(t: Parameters<typeof tempDir>[0], dir?: string) {
  const d = dir ?? (await tempDir(t));
  if (!dir) await initCaDirectory({ dir: d });
  const svc = await startIdentityService({ dir: d, listen: { host: '127.0.0.1', port: 0 } });
  t.after(() => svc.close());
  return { dir: d, svc };
}

test('certify happy path: leaf verifies against the anchor and names both SANs', async (t) => {
  const { svc } = await start(t);
  const key = await generateProxyKey();
  const r = await certifyRaw(svc.port, svc.trustAnchorPem, {
    identity: formatDnsName(web),
    token: Buffer.from(svc.issueJoinToken(web)),
    certificateSigningRequest: await buildCsr(key, web),
  });
  assert.ok(r.ok, JSON.stringify(r));
  const leaf = new X509Certificate(r.res.leafCertificate);
  const issuer = new X509Certificate(r.res.intermediateCertificates[0] as Buffer);
  const anchor = new X509Certificate(svc.trustAnchorPem);
  assert.ok(leaf.verify(issuer.publicKey) && leaf.checkIssued(issuer));
  assert.ok(issuer.verify(anchor.publicKey) && issuer.checkIssued(anchor));
  assert.match(leaf.subjectAltName ?? '', /DNS:web\.shop\.serviceaccount\.identity\.weft\.cluster\.local/);
  assert.match(leaf.subjectAltName ?? '', /URI:spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web/);
  assert.ok(leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(key.spkiDer));
  assert.equal(Number(r.res.validUntil?.seconds), Math.floor(new Date(leaf.validTo).getTime() / 1000));
  assert.equal(leaf.ca, false);
});

test('a CSR asking for someone else is refused with PERMISSION_DENIED', async (t) => {
  const { svc } = await start(t);
  const key = await generateProxyKey();
  // Token and identity say web; the CSR asks for api.
  const r = await certifyRaw(svc.port, svc.trustAnchorPem, {
    identity: formatDnsName(web),
    token: Buffer.from(svc.issueJoinToken(web)),
    certificateSigningRequest: await buildCsr(key, api),
  });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, grpc.status.PERMISSION_DENIED);
  // Token for web, asking for api altogether.
  const r2 = await certifyRaw(svc.port, svc.trustAnchorPem, {
    identity: formatDnsName(api),
    token: Buffer.from(svc.issueJoinToken(web)),
    certificateSigningRequest: await buildCsr(key, api),
  });
  assert.equal(!r2.ok && r2.code, grpc.status.PERMISSION_DENIED);
});

test('bad, forged and expired tokens are refused with UNAUTHENTICATED', async (t) => {
  const { svc } = await start(t);
  const csr = await buildCsr(await generateProxyKey(), web);
  const forged = new JoinTokens(Buffer.alloc(32, 7)).issue(web);
  const expired = new JoinTokens(Buffer.alloc(32, 7), () => Date.now() - 3600_000).issue(web, 1000);
  for (const token of ['', 'garbage', forged, svc.issueJoinToken(web, -1000), expired]) {
    const r = await certifyRaw(svc.port, svc.trustAnchorPem, {
      identity: formatDnsName(web),
      token: Buffer.from(token),
      certificateSigningRequest: csr,
    });
    assert.equal(!r.ok && r.code, grpc.status.UNAUTHENTICATED, `token ${token}`);
  }
});

test('a CSR with a bad signature or no CSR at all is refused with INVALID_ARGUMENT', async (t) => {
  const { svc } = await start(t);
  const csr = await buildCsr(await generateProxyKey(), web);
  const broken = Buffer.from(csr);
  broken[broken.length - 5] = (broken[broken.length - 5] as number) ^ 0xff; // inside the signature
  for (const bad of [broken, Buffer.alloc(0), Buffer.from('not der')]) {
    const r = await certifyRaw(svc.port, svc.trustAnchorPem, {
      identity: formatDnsName(web),
      token: Buffer.from(svc.issueJoinToken(web)),
      certificateSigningRequest: bad,
    });
    assert.equal(!r.ok && r.code, grpc.status.INVALID_ARGUMENT);
  }
  const r = await certifyRaw(svc.port, svc.trustAnchorPem, {
    identity: 'not an identity',
    token: Buffer.from(svc.issueJoinToken(web)),
    certificateSigningRequest: csr,
  });
  assert.equal(!r.ok && r.code, grpc.status.INVALID_ARGUMENT);
});

test('a CA restart on the same directory keeps issued certificates valid and the issuer', async (t) => {
  const dir = await tempDir(t);
  await initCaDirectory({ dir });
  const first = await startIdentityService({ dir, listen: { host: '127.0.0.1', port: 0 } });
  const key = await generateProxyKey();
  const token = first.issueJoinToken(web);
  const r1 = await certifyRaw(first.port, first.trustAnchorPem, {
    identity: formatDnsName(web),
    token: Buffer.from(token),
    certificateSigningRequest: await buildCsr(key, web),
  });
  assert.ok(r1.ok);
  await first.close();

  const second = await startIdentityService({ dir, listen: { host: '127.0.0.1', port: 0 } });
  t.after(() => second.close());
  assert.equal(second.trustAnchorPem, first.trustAnchorPem);
  assert.equal(second.issuer.current().cert.serialNumber, first.issuer.current().cert.serialNumber);
  // The old leaf still chains to the (unchanged) anchor; the join token still works.
  const anchor = new X509Certificate(second.trustAnchorPem);
  const oldIssuer = new X509Certificate(r1.res.intermediateCertificates[0] as Buffer);
  assert.ok(new X509Certificate(r1.res.leafCertificate).verify(oldIssuer.publicKey));
  assert.ok(oldIssuer.verify(anchor.publicKey));
  const r2 = await certifyRaw(second.port, second.trustAnchorPem, {
    identity: formatDnsName(web),
    token: Buffer.from(token),
    certificateSigningRequest: await buildCsr(key, web),
  });
  assert.ok(r2.ok);
});
