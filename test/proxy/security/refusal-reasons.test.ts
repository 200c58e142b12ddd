// The refusal reasons not reached by the process-level tests, in-process with the test PKI: a
// certificate from the anchor without a SPIFFE URI, a meshed client that never sends its
// transport header, one that sends a malformed header; and which hosts count as "this host"
// for the own-port guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { createSecureContext } from 'node:tls';
import { exportKeyPem, generateKeyPair, randomSerial, SIGNING_ALGORITHM } from '../../../src/control/identity/pki.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { x509 } from '../../../src/lib/x509.js';
import { isLocalHost, OwnPorts } from '../../../src/proxy/own-ports.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';
import { httpBackend } from '../../helpers/servers.js';
import { testPki } from '../tls/fixtures.js';
import { forgedRequest, meshed } from './attack.js';

const SERVER = workloadId('shop', 'catalog');
const CLIENT = workloadId('shop', 'web');

test('no SPIFFE identity, no transport header, a malformed one: refused before the app, each counted by reason', async (t) => {
  const pki = await testPki();
  const app = await httpBackend();
  t.after(() => app.close());
  const serverTls = await pki.identity(SERVER);
  const proxy = await startTestProxy({ WEFT_PROXY_DETECT_TIMEOUT_MS: '300' }, { tlsIdentity: Object.assign(serverTls, { localName: formatSpiffe(SERVER) }) });
  t.after(() => proxy.close());
  const base = { to: proxy.inbound, servername: formatDnsName(SERVER), trustAnchorPem: pki.anchorPem, payload: forgedRequest('/') };

  // Signed by the mesh's issuer, but naming only a DNS name.
  const keys = await generateKeyPair();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=not-a-workload',
    issuer: pki.issuer.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 600_000),
    publicKey: keys.publicKey,
    signingKey: pki.issuer.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'not-a-workload' }], false)],
  });
  const noSpiffe = createSecureContext({ key: await exportKeyPem(keys.privateKey), cert: leaf.toString('pem') + '\n' + pki.issuer.cert.toString('pem'), ca: pki.anchorPem });
  const a = await meshed({ ...base, tls: { secureContext: noSpiffe }, header: { port: app.addr.port, protocol: 'http1' } });
  assert.equal(a.answer, '');

  const client = (await pki.identity(CLIENT)).secureContext();
  const b = await meshed({ ...base, tls: { secureContext: client }, payload: undefined, waitMs: 2000 });
  assert.equal(b.answer, '');
  const c = await meshed({ ...base, tls: { secureContext: client }, payload: 'WFT1\x00\x05{"x"}' });
  assert.equal(c.answer, '');

  assert.equal(app.connections, 0);
  for (const reason of ['no_spiffe_identity', 'timeout', 'transport_header']) {
    assert.equal(await metricValue(proxy, 'proxy_inbound_refused_total', { reason }), 1, reason);
  }
});

test('own ports are matched on this host only: loopback, unspecified, local interfaces', () => {
  const own = new OwnPorts();
  own.add(4191);
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0.0.0.0', '::', '::ffff:127.0.0.1']) assert.ok(own.isOwn({ host, port: 4191 }), host);
  const local = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal)?.address;
  if (local) assert.ok(isLocalHost(local), local);
  assert.equal(own.isOwn({ host: '192.0.2.10', port: 4191 }), false, 'another host');
  assert.equal(own.isOwn({ host: '127.0.0.1', port: 8080 }), false, 'another port');
});
