// The proxy's identity client against a real identity service: first certificate, renewal
// with lifetimes of seconds while a meshed connection stays up, and retries with backoff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { initCaDirectory } from '../../../src/control/identity/store.js';
import type { IdentityServiceOptions } from '../../../src/control/identity/service.js';
import { startIdentityService } from '../../../src/control/identity/service.js';
import { IdentityClient } from '../../../src/proxy/identity/client.js';
import type { CertifyFailedError } from '../../../src/proxy/identity/errors.js';
import { MeshTlsAcceptor } from '../../../src/proxy/tls/accept.js';
import { connectMeshed } from '../../../src/proxy/tls/connect.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { errorCode } from '../../../src/lib/errors.js';
import { tempDir } from '../../control/identity/helpers.js';
import { listen } from '../tls/fixtures.js';

const web = workloadId('shop', 'web');
const api = workloadId('shop', 'api');
type T = Parameters<typeof tempDir>[0];

async function service(t: T, opts: Partial<IdentityServiceOptions> = {}) {
  const dir = await tempDir(t);
  await initCaDirectory({ dir });
  const svc = await startIdentityService({ dir, listen: { host: '127.0.0.1', port: 0 }, ...opts });
  t.after(() => svc.close());
  return svc;
}

function client(t: T, svc: { port: number; trustAnchorPem: string; issueJoinToken(id: typeof web): string }, id = web, extra: Partial<ConstructorParameters<typeof IdentityClient>[0]> = {}) {
  const c = new IdentityClient({
    identity: id,
    token: () => Buffer.from(svc.issueJoinToken(id)),
    trustAnchorsPem: svc.trustAnchorPem,
    address: `127.0.0.1:${svc.port}`,
    clockSkewMs: 0,
    ...extra,
  });
  t.after(() => c.close());
  return c;
}

test('a proxy obtains its certificate and reports it', async (t) => {
  const svc = await service(t);
  const c = client(t, svc);
  assert.equal(c.isReady(), false);
  assert.throws(() => c.secureContext(), (e) => errorCode(e) === 'WEFT_ERR_IDENTITY_NOT_READY');
  assert.equal(c.identitySnapshot(), undefined);
  c.start();
  await c.ready;
  assert.ok(c.isReady());
  const snap = c.identitySnapshot();
  assert.equal(snap?.identity, formatSpiffe(web));
  const leaf = new X509Certificate(snap?.pem ?? '');
  assert.equal(leaf.serialNumber, snap?.serialNumber);
  assert.equal(c.certExpirationTimestampSeconds, Math.floor(new Date(leaf.validTo).getTime() / 1000));
  assert.equal(c.certRefreshCount, 1);
});

test('renewal with short lifetimes swaps the context and keeps open connections up', async (t) => {
  const svc = await service(t, { leafLifetimeMs: 2000 });
  const server = client(t, svc, api);
  const proxy = client(t, svc, web);
  server.start();
  proxy.start();
  await Promise.all([server.ready, proxy.ready]);

  const acceptor = new MeshTlsAcceptor(server);
  const clientIds: (string | undefined)[] = [];
  const { port } = await listen(t, (raw) => {
    acceptor.accept(raw).then(
      (a) => {
        clientIds.push(a.clientIdentity);
        a.socket.pipe(a.socket);
      },
      () => raw.destroy(),
    );
  });
  const echo = async (s: TLSSocket, msg: string) => {
    s.write(msg);
    const [b] = await once(s, 'data');
    return String(b);
  };
  const first = await connectMeshed({ host: '127.0.0.1', port, expectedIdentity: api, identity: proxy });
  t.after(() => first.destroy());
  assert.equal(await echo(first, 'one'), 'one');

  const ctx0 = proxy.secureContext();
  const serial0 = proxy.identitySnapshot()?.serialNumber;
  const rotated: string[] = [];
  proxy.on('rotated', (s) => rotated.push(s.serialNumber));
  while (proxy.certRefreshCount < 3) await new Promise((r) => setTimeout(r, 100));

  assert.ok(rotated.length >= 2);
  assert.notEqual(proxy.secureContext(), ctx0);
  assert.notEqual(proxy.identitySnapshot()?.serialNumber, serial0);
  // The context is built once per certificate: same object until the next rotation.
  assert.equal(proxy.secureContext(), proxy.secureContext());
  // The connection made with the first (now expired) certificate is still up.
  assert.equal(await echo(first, 'still here'), 'still here');
  const second = await connectMeshed({ host: '127.0.0.1', port, expectedIdentity: api, identity: proxy });
  t.after(() => second.destroy());
  assert.equal(await echo(second, 'two'), 'two');
  assert.deepEqual(clientIds, [formatSpiffe(web), formatSpiffe(web)]);
});

test('Certify failures are retried with backoff until the identity service is up', async (t) => {
  // Find a free port, then start the service on it only after the client has failed a few times.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const dir = await tempDir(t);
  const anchor = await initCaDirectory({ dir });
  const state: { svc?: Awaited<ReturnType<typeof startIdentityService>> } = {};
  t.after(() => state.svc?.close());
  const errors: Error[] = [];
  const c = new IdentityClient({
    identity: web,
    token: () => Buffer.from(state.svc ? state.svc.issueJoinToken(web) : 'none yet'),
    trustAnchorsPem: anchor,
    address: `127.0.0.1:${port}`,
    backoff: { minMs: 20, maxMs: 100 },
    random: () => 1,
  });
  t.after(() => c.close());
  c.on('error', (e) => errors.push(e));
  c.start();
  while (errors.length < 3) await new Promise((r) => setTimeout(r, 10));
  state.svc = await startIdentityService({ dir, listen: { host: '127.0.0.1', port } });
  await c.ready;
  assert.ok(c.isReady());
  assert.ok(errors.every((e) => errorCode(e) === 'WEFT_ERR_CERTIFY_FAILED'));
});

test('a refused Certify surfaces the gRPC status and is retried', async (t) => {
  const svc = await service(t);
  const c = client(t, svc, web, { token: () => Buffer.from('forged'), backoff: { minMs: 50, maxMs: 50 } });
  const err = await new Promise<CertifyFailedError>((resolve) => {
    c.once('error', (e) => resolve(e as CertifyFailedError));
    c.start();
  });
  assert.equal(err.grpcCode, grpc.status.UNAUTHENTICATED);
  assert.equal(c.isReady(), false);
});
