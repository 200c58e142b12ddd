// Identity on Kubernetes against a real API server: `weft identity serve` as its Deployment runs
// it (issuer from the Secret, service-account tokens checked by TokenReview) certifies a proxy
// presenting a real token from the TokenRequest API, and refuses a token for another account
// (PERMISSION_DENIED), for another audience, an expired one and one bound to a deleted pod
// (UNAUTHENTICATED). A real proxy obtains its certificate with such a token from a file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { buildCsr, generateProxyKey } from '../../../src/proxy/identity/csr.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { generateIdentityPki } from '../../../src/runtime/kubernetes/identity-pki.js';
import { renderIssuerSecret } from '../../../src/runtime/kubernetes/manifests/config.js';
import { toYaml } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import { installValues } from '../../../src/runtime/kubernetes/values.js';
import { IDENTITY_AUDIENCE } from '../../../src/runtime/kubernetes/names.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../../helpers/k8s-cluster.js';
import { startProxyProcess } from '../../helpers/proxy-process.js';
import { startWeft, type WeftProcess } from '../../helpers/weft-process.js';
import { certifyRaw } from './helpers.js';

const NS = 'shop';
const web = workloadId(NS, 'web');

const skip = k8sSkipReason();

describe('identity with service-account tokens (TokenReview)', { skip, timeout: 180_000 }, () => {
  let cluster: KubeCluster;
  let identity: WeftProcess;
  let anchors: string;
  let port: number;
  let dir: string;

  const token = async (sa: string, ...extra: string[]): Promise<Buffer> =>
    Buffer.from((await cluster.k(['create', 'token', sa, '-n', NS, ...extra])).trim());
  const certify = async (id: ReturnType<typeof workloadId>, tok: Buffer) => {
    const key = await generateProxyKey();
    return certifyRaw(port, anchors, { identity: formatDnsName(id), token: tok, certificateSigningRequest: await buildCsr(key, id) });
  };

  before(async () => {
    cluster = await startCluster();
    dir = await mkdtemp(join(tmpdir(), 'weft-k8s-identity-'));
    const pki = await generateIdentityPki({ trustDomain: 'cluster.local', issuerLifetimeDays: 30 });
    anchors = pki.trustAnchorsPem;
    await cluster.k(['create', 'namespace', 'weft']);
    await cluster.k(['create', 'namespace', NS]);
    await cluster.k(['apply', '-f', '-'], toYaml([renderIssuerSecret(installValues(), pki)]));
    for (const sa of ['web', 'api']) await cluster.k(['create', 'serviceaccount', sa, '-n', NS]);
    identity = await startWeft(undefined, [
      'identity', 'serve', '--issuer-secret', 'weft/weft-identity-issuer', '--token-verifier', 'kubernetes',
      '--kubeconfig', cluster.kubeconfig, '--listen', '127.0.0.1:0', '--issuer-secret-poll', '500ms',
    ], /listening on port (\d+)/);
    port = Number(identity.ready[1]);
  });

  after(async () => {
    await identity?.stop();
    if (cluster?.external) await cluster.kubectl(['delete', 'namespace', NS, 'weft', '--wait=false']);
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a TokenRequest token for the service account gets spiffe://cluster.local/ns/shop/sa/web', async () => {
    const r = await certify(web, await token('web', '--audience', IDENTITY_AUDIENCE));
    assert.ok(r.ok, JSON.stringify(r));
    const leaf = new X509Certificate(r.res.leafCertificate);
    assert.match(leaf.subjectAltName ?? '', new RegExp(`URI:${formatSpiffe(web).replace(/[/.]/g, '\\$&')}`));
    assert.ok(leaf.checkIssued(new X509Certificate(r.res.intermediateCertificates[0] as Buffer)));
  });

  test("a token for another service account is refused with PERMISSION_DENIED", async () => {
    const r = await certify(web, await token('api', '--audience', IDENTITY_AUDIENCE));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, grpc.status.PERMISSION_DENIED, JSON.stringify(r));
    assert.match(!r.ok ? r.details : '', /proves spiffe:\/\/cluster\.local\/ns\/shop\/sa\/api/);
  });

  test('a token for another audience is refused with UNAUTHENTICATED', async () => {
    const r = await certify(web, await token('web', '--audience', 'not-weft'));
    assert.equal(!r.ok && r.code, grpc.status.UNAUTHENTICATED, JSON.stringify(r));
  });

  test('a token bound to a pod stops working when the pod is deleted', async () => {
    await cluster.k(['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: ${NS}}\nspec:\n  serviceAccountName: web\n  containers: [{name: app, image: example.invalid/app:1}]\n`);
    const uid = (await cluster.k(['get', 'pod', 'web-0', '-n', NS, '-o', 'jsonpath={.metadata.uid}'])).trim();
    const bound = await token('web', '--audience', IDENTITY_AUDIENCE, '--bound-object-kind', 'Pod', '--bound-object-name', 'web-0', '--bound-object-uid', uid);
    assert.ok((await certify(web, bound)).ok, 'accepted while the pod exists');
    await cluster.k(['delete', 'pod', 'web-0', '-n', NS, '--grace-period=0', '--force']);
    // The API server caches a successful token authentication for 10 s.
    const end = Date.now() + 20_000;
    let r = await certify(web, bound);
    while (r.ok && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 500));
      r = await certify(web, bound);
    }
    assert.equal(!r.ok && r.code, grpc.status.UNAUTHENTICATED, r.ok ? 'still accepted 20 s after the pod was deleted' : r.details);
  });

  test('an expired token is refused with UNAUTHENTICATED', async (t) => {
    if (!cluster.serviceAccountKey) return t.skip('needs the service-account signing key (local API server only)');
    const saUid = (await cluster.k(['get', 'serviceaccount', 'web', '-n', NS, '-o', 'jsonpath={.metadata.uid}'])).trim();
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    // Exactly what the API server mints for a TokenRequest, except that it expired an hour ago.
    const head = b64({ alg: 'ES256', typ: 'JWT' });
    const body = b64({
      aud: [IDENTITY_AUDIENCE], iss: cluster.serviceAccountIssuer, sub: `system:serviceaccount:${NS}:web`,
      iat: now - 7200, nbf: now - 7200, exp: now - 3600,
      'kubernetes.io': { namespace: NS, serviceaccount: { name: 'web', uid: saUid } },
    });
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: cluster.serviceAccountKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    const r = await certify(web, Buffer.from(`${head}.${body}.${sig}`));
    assert.equal(!r.ok && r.code, grpc.status.UNAUTHENTICATED, JSON.stringify(r));
    // The same token, not expired, is accepted: the refusal above was for the expiry alone.
    const fresh = b64({
      aud: [IDENTITY_AUDIENCE], iss: cluster.serviceAccountIssuer, sub: `system:serviceaccount:${NS}:web`,
      iat: now, nbf: now, exp: now + 600, 'kubernetes.io': { namespace: NS, serviceaccount: { name: 'web', uid: saUid } },
    });
    const sig2 = sign('sha256', Buffer.from(`${head}.${fresh}`), { key: cluster.serviceAccountKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    assert.ok((await certify(web, Buffer.from(`${head}.${fresh}.${sig2}`))).ok);
  });

  test('a real proxy gets its certificate with a projected-style token file', async (t) => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, await token('web', '--audience', IDENTITY_AUDIENCE));
    const proxy = await startProxyProcess(t, {
      WEFT_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${port}`,
      WEFT_PROXY_IDENTITY_LOCAL_NAME: formatSpiffe(web),
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS: anchors,
      WEFT_PROXY_IDENTITY_TOKEN_FILE: tokenFile,
    });
    const end = Date.now() + 15_000;
    let body = '';
    while (Date.now() < end) {
      const res = await fetch(`http://127.0.0.1:${proxy.admin.port}/identity.json`).catch(() => undefined);
      if (res?.status === 200) {
        body = await res.text();
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(body, /spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web/, `proxy log: ${proxy.log()}`);
    const ready = await fetch(`http://127.0.0.1:${proxy.admin.port}/ready`);
    assert.equal(ready.status, 200);
  });

  test('a rotated issuer Secret is picked up without a restart', async () => {
    const next = await generateIdentityPki({ trustDomain: 'cluster.local', issuerLifetimeDays: 30 });
    // As cert-manager (or a root rotation) would write it: a new issuer, and a trust bundle that
    // holds the old and the new root while proxies move over.
    const bundle = { ...next, trustAnchorsPem: anchors + next.trustAnchorsPem };
    await cluster.k(['apply', '-f', '-'], toYaml([renderIssuerSecret(installValues(), bundle)]));
    anchors = bundle.trustAnchorsPem;
    const issuerCert = new X509Certificate(next.issuerCertPem);
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await certify(web, await token('web', '--audience', IDENTITY_AUDIENCE));
      assert.ok(r.ok, JSON.stringify(r));
      if (new X509Certificate(r.res.intermediateCertificates[0] as Buffer).fingerprint256 === issuerCert.fingerprint256) break;
      assert.ok(Date.now() < end, 'the new issuer was not used within 10 s');
      await new Promise((res) => setTimeout(res, 200));
    }
  });
});
