// Meshed TLS between two ends: identities checked both ways, bad peers refused with typed
// errors, and nothing of the payload visible on the wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import { connectMeshed } from '../../../src/proxy/tls/connect.js';
import type { AcceptedMeshed } from '../../../src/proxy/tls/accept.js';
import { MeshTlsAcceptor, NO_CLIENT_CERT } from '../../../src/proxy/tls/accept.js';
import { MESH_ALPN } from '../../../src/proxy/tls/context.js';
import { keyExchange, negotiatedGroup } from '../../../src/proxy/tls/key-exchange.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { errorCode, findCause } from '../../../src/lib/errors.js';
import { TlsHandshakeError } from '../../../src/proxy/tls/errors.js';
import type { TlsIdentity } from '../../../src/proxy/tls/context.js';
import { listen, testPki } from './fixtures.js';

const web = workloadId('shop', 'web');
const api = workloadId('shop', 'api');

/** An inbound end: accepts meshed TLS and echoes; results of each accept go to `accepted`. */
async function inbound(t: Parameters<typeof listen>[0], identity: TlsIdentity, requireClientCert = true) {
  const acceptor = new MeshTlsAcceptor(identity, { handshakeTimeoutMs: 5000, requireClientCert });
  const accepted: Promise<AcceptedMeshed>[] = [];
  const { port } = await listen(t, (raw) => {
    const p = acceptor.accept(raw);
    p.then(
      (a) => a.socket.pipe(a.socket),
      () => {},
    );
    accepted.push(p);
  });
  return { port, accepted };
}

async function roundTrip(s: Socket, payload: string): Promise<string> {
  s.write(payload);
  let got = '';
  for await (const chunk of s) {
    got += String(chunk);
    if (got.length >= payload.length) break;
  }
  return got;
}

test('a meshed pair verifies both identities and carries data over TLS 1.3', async (t) => {
  const pki = await testPki();
  const server = await inbound(t, await pki.identity(api));
  const sock = await connectMeshed({ host: '127.0.0.1', port: server.port, expectedIdentity: formatSpiffe(api), identity: await pki.identity(web) });
  t.after(() => sock.destroy());
  assert.equal(sock.getProtocol(), 'TLSv1.3');
  assert.equal(sock.alpnProtocol, MESH_ALPN);
  // Node 20 (OpenSSL 3.0) cannot do X25519MLKEM768, so the classic group is used.
  if (!keyExchange().postQuantum) assert.equal(negotiatedGroup(sock), 'X25519');
  assert.equal(await roundTrip(sock, 'hello'), 'hello');
  const a = await server.accepted[0];
  assert.equal(a?.clientIdentity, formatSpiffe(web));
  assert.equal(a?.serverName, formatDnsName(api));
});

test('the client refuses a server whose leaf names another identity', async (t) => {
  const pki = await testPki();
  const server = await inbound(t, await pki.identity(web));
  await assert.rejects(
    connectMeshed({ host: '127.0.0.1', port: server.port, expectedIdentity: api, identity: await pki.identity(web) }),
    (err) => errorCode(err) === 'WEFT_ERR_IDENTITY_MISMATCH',
  );
});

test('the client refuses a server from another trust anchor or with an expired certificate', async (t) => {
  const pki = await testPki();
  const other = await testPki();
  const foreign = await inbound(t, await other.identity(api));
  await assert.rejects(
    connectMeshed({ host: '127.0.0.1', port: foreign.port, expectedIdentity: api, identity: await pki.identity(web) }),
    (err) => errorCode(err) === 'WEFT_ERR_TLS_HANDSHAKE',
  );
  const expired = await inbound(t, await pki.identity(api, { expired: true }));
  await assert.rejects(
    connectMeshed({ host: '127.0.0.1', port: expired.port, expectedIdentity: api, identity: await pki.identity(web) }),
    (err) => errorCode(err) === 'WEFT_ERR_TLS_HANDSHAKE' && findCause(err, TlsHandshakeError)?.reason === 'CERT_HAS_EXPIRED',
  );
});

test('the server refuses a client certificate from another anchor or an expired one', async (t) => {
  const pki = await testPki();
  const other = await testPki();
  const server = await inbound(t, await pki.identity(api));
  const clients = [
    await other.identity(web, { trustPem: pki.anchorPem }),
    await pki.identity(web, { expired: true }),
  ];
  const reasons: (string | undefined)[] = [];
  for (const identity of clients) {
    // In TLS 1.3 the client finishes first; the server's refusal then closes the connection.
    const sock = await connectMeshed({ host: '127.0.0.1', port: server.port, expectedIdentity: api, identity }).catch(() => undefined);
    sock?.on('error', () => {});
    const accepted = server.accepted[server.accepted.length - 1];
    await assert.rejects(accepted as Promise<AcceptedMeshed>, (err) => {
      reasons.push(findCause(err, TlsHandshakeError)?.reason);
      return errorCode(err) === 'WEFT_ERR_TLS_HANDSHAKE';
    });
    sock?.destroy();
  }
  assert.ok(reasons[0] && reasons[0] !== 'CERT_HAS_EXPIRED', `foreign anchor refused: ${reasons[0]}`);
  assert.equal(reasons[1], 'CERT_HAS_EXPIRED');
});

test('a client without a certificate is refused in the handshake (alert certificate_required)', async (t) => {
  const pki = await testPki();
  const server = await inbound(t, await pki.identity(api));
  const sock = tlsConnect({
    host: '127.0.0.1',
    port: server.port,
    ca: pki.anchorPem,
    servername: formatDnsName(api),
    ALPNProtocols: [MESH_ALPN],
    checkServerIdentity: () => undefined,
  });
  t.after(() => sock.destroy());
  const [err] = (await once(sock, 'error')) as [Error & { code?: string }];
  assert.equal(err.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  await assert.rejects(server.accepted[0] as Promise<AcceptedMeshed>, (e) => findCause(e, TlsHandshakeError)?.reason === NO_CLIENT_CERT);
});

test('with requireClientCert false (the policy seam) a client without a certificate is accepted without an identity', async (t) => {
  const pki = await testPki();
  const server = await inbound(t, await pki.identity(api), false);
  const sock = tlsConnect({
    host: '127.0.0.1',
    port: server.port,
    ca: pki.anchorPem,
    servername: formatDnsName(api),
    ALPNProtocols: [MESH_ALPN],
    checkServerIdentity: () => undefined,
  });
  t.after(() => sock.destroy());
  await once(sock, 'secureConnect');
  const a = await server.accepted[0];
  assert.equal(a?.clientIdentity, undefined);
  assert.equal(await roundTrip(sock, 'anon'), 'anon');
});

test('bytes seen by a TCP relay between the two ends do not contain the payload', async (t) => {
  const pki = await testPki();
  const server = await inbound(t, await pki.identity(api));
  const seen: Buffer[] = [];
  const relay = await listen(t, (down) => {
    const up = netConnect(server.port, '127.0.0.1');
    up.on('error', () => down.destroy());
    down.on('data', (b: Buffer) => seen.push(b));
    up.on('data', (b: Buffer) => seen.push(b));
    down.pipe(up).pipe(down);
  });
  const sock = await connectMeshed({ host: '127.0.0.1', port: relay.port, expectedIdentity: api, identity: await pki.identity(web) });
  t.after(() => sock.destroy());
  const payload = 'top-secret-payload-'.repeat(50);
  assert.equal(await roundTrip(sock, payload), payload);
  const wire = Buffer.concat(seen);
  assert.ok(wire.length > payload.length, 'the relay saw the traffic');
  assert.equal(wire.indexOf('top-secret-payload'), -1);
});

test('an acceptor whose identity is not ready fails the handshake, not the process', async (t) => {
  const pki = await testPki();
  const notReady: TlsIdentity = {
    secureContext: () => {
      throw new Error('not ready');
    },
  };
  const server = await inbound(t, notReady);
  await assert.rejects(
    connectMeshed({ host: '127.0.0.1', port: server.port, expectedIdentity: api, identity: await pki.identity(web) }),
    (err) => errorCode(err) === 'WEFT_ERR_TLS_HANDSHAKE',
  );
  await assert.rejects(server.accepted[0] as Promise<AcceptedMeshed>, (err) => errorCode(err) === 'WEFT_ERR_TLS_HANDSHAKE');
});

test('the key exchange probe reports a group and whether it is post-quantum', () => {
  const kx = keyExchange();
  assert.equal(kx.postQuantum, kx.preferredGroup === 'X25519MLKEM768');
  assert.ok(kx.ecdhCurve.startsWith(kx.preferredGroup));
  // OpenSSL 3.0 (Node 20) cannot do the hybrid group; 3.5+ can.
  const [major, minor] = process.versions.openssl.split('.').map(Number) as [number, number];
  assert.equal(kx.postQuantum, major > 3 || (major === 3 && minor >= 5));
});
