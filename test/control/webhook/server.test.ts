// The generic admission server over real HTTPS (a certificate from a test CA, as the webhook
// configurations' caBundle would vouch for): AdmissionReview in and out, health, and the
// answers to bad requests; a failing handler admits with a warning instead of blocking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServingCa, signServingCert } from '../../../src/lib/serving-cert.js';
import { startAdmissionServer } from '../../../src/control/webhook/server.js';
import { serviceProfileValidator } from '../../../src/control/validator/serviceprofile.js';

async function server(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-webhook-'));
  const ca = await createServingCa('test-ca');
  const cert = await signServingCert(ca, { dnsNames: ['weft-injector.weft.svc'] });
  await writeFile(join(dir, 'tls.crt'), cert.certPem);
  await writeFile(join(dir, 'tls.key'), cert.keyPem);
  const s = await startAdmissionServer({
    listen: { host: '127.0.0.1', port: 0 },
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    handlers: {
      '/ok': async () => ({ allowed: true, patch: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] }),
      '/boom': async () => { throw new Error('handler broke'); },
      '/validate': serviceProfileValidator(),
    },
  });
  t.after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });
  const call = (path: string, body?: unknown, method = 'POST'): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: s.port, path, method, ca: ca.certPem, servername: 'weft-injector.weft.svc', headers: { 'content-type': 'application/json' } }, (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    });
  return { call, ca };
}

const review = (object: unknown, kind = 'Pod') => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'abc', kind: { group: '', version: 'v1', kind }, operation: 'CREATE', namespace: 'shop', object } });

test('an AdmissionReview gets its response: uid, allowed, a base64 JSON patch', async (t) => {
  const { call } = await server(t);
  const r = await call('/ok', review({ metadata: { name: 'p' } }));
  assert.equal(r.status, 200);
  const resp = (JSON.parse(r.body) as { response: { uid: string; allowed: boolean; patchType: string; patch: string } }).response;
  assert.equal(resp.uid, 'abc');
  assert.equal(resp.allowed, true);
  assert.equal(resp.patchType, 'JSONPatch');
  assert.deepEqual(JSON.parse(Buffer.from(resp.patch, 'base64').toString()), [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]);
  assert.equal((await call('/healthz', undefined, 'GET')).body, 'ok\n');
});

test('bad requests: 400 for a body that is not an AdmissionReview, 404 unknown path, 405 wrong method', async (t) => {
  const { call } = await server(t);
  assert.equal((await call('/ok', '{not json')).status, 400);
  assert.equal((await call('/ok', { request: {} })).status, 400);
  assert.equal((await call('/nope', review({}))).status, 404);
  assert.equal((await call('/ok', undefined, 'GET')).status, 405);
});

test('a failing handler admits the object unchanged with a warning (never blocks)', async (t) => {
  const { call } = await server(t);
  const resp = (JSON.parse((await call('/boom', review({}))).body) as { response: { allowed: boolean; warnings: string[]; patch?: string } }).response;
  assert.equal(resp.allowed, true);
  assert.equal(resp.patch, undefined);
  assert.match(resp.warnings[0] ?? '', /weft webhook \/boom failed: handler broke/);
});

test('the ServiceProfile validator refuses with the field named, and admits a valid profile', async (t) => {
  const { call } = await server(t);
  const sp = (condition: unknown) => ({ apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile', metadata: { name: 'web.shop.svc.cluster.local', namespace: 'shop' }, spec: { routes: [{ name: 'r', condition }] } });
  const bad = (JSON.parse((await call('/validate', review(sp({ pathRegex: '(' }), 'ServiceProfile'))).body) as { response: { allowed: boolean; status: { code: number; message: string } } }).response;
  assert.equal(bad.allowed, false);
  assert.equal(bad.status.code, 422);
  assert.match(bad.status.message, /ServiceProfile "web\.shop\.svc\.cluster\.local" is invalid: spec\.routes\[0\]\.condition\.pathRegex: invalid regular expression/);
  const good = (JSON.parse((await call('/validate', review(sp({ method: 'GET' }), 'ServiceProfile'))).body) as { response: { allowed: boolean } }).response;
  assert.equal(good.allowed, true);
});

test('a certificate or key that cannot be read is a clear start-up error', async () => {
  await assert.rejects(
    startAdmissionServer({ listen: { host: '127.0.0.1', port: 0 }, certFile: '/nonexistent/tls.crt', keyFile: '/nonexistent/tls.key', handlers: {} }),
    /cannot read the webhook certificate or key/,
  );
});
