// Regression (issue 19, items 1 and 2): the inbound port of a real `weft proxy` process holding
// a certificate from a real CA (the control plane's identity service). Meshed TLS (ALPN
// transport.weft.io/v1) needs a client certificate chaining to the trust anchor with a SPIFFE
// identity; without one — none, self-signed, another CA — the handshake is refused, counted in
// proxy_inbound_refused_total, and nothing reaches the app. Only TLS 1.3 with the configured
// groups is accepted, also on the context the SNICallback returns.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x509 } from '../../../src/lib/x509.js';
import { createSecureContext } from 'node:tls';
import { exportKeyPem, generateKeyPair, identitySans, SIGNING_ALGORITHM } from '../../../src/control/identity/pki.js';
import { formatAddress } from '../../../src/lib/address.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { run } from '../../helpers/exec.js';
import { startMeshCa, type MeshCa } from '../../helpers/mesh-ca.js';
import { startProxyProcess, type ProxyProcess } from '../../helpers/proxy-process.js';
import { url } from '../../helpers/proxy.js';
import { httpBackend, type Backend } from '../../helpers/servers.js';
import { testPki } from '../tls/fixtures.js';
import { echoed, forgedRequest, meshed, type MeshedAttempt } from './attack.js';

const SERVER = workloadId('shop', 'catalog');
const CLIENT = workloadId('shop', 'web');

async function metric(p: ProxyProcess, name: string, match = ''): Promise<number> {
  const text = await (await fetch(url(p.admin, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** A self-signed certificate naming a mesh identity (what an attacker can make by himself). */
async function selfSigned(): Promise<{ keyPem: string; certPem: string }> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${formatDnsName(CLIENT)}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [new x509.SubjectAlternativeNameExtension(identitySans(CLIENT), false)],
  });
  return { keyPem: await exportKeyPem(keys.privateKey), certPem: cert.toString('pem') };
}

describe('meshed inbound requires a client certificate from the trust anchor', () => {
  let ca: MeshCa;
  let app: Backend;
  let proxy: ProxyProcess;
  let attempt: (a: Partial<MeshedAttempt>) => ReturnType<typeof meshed>;
  const cleanups: (() => void | Promise<void>)[] = [];
  const t = { after: (fn: () => void | Promise<void>) => void cleanups.push(fn) };

  before(async () => {
    ca = await startMeshCa(t);
    app = await httpBackend();
    cleanups.push(() => app.close());
    // No WEFT_PROXY_INBOUND_DEFAULT_DST: the transport header's port names the app port, as
    // with interception.
    proxy = await startProxyProcess(t, { ...ca.proxyEnv(SERVER), WEFT_PROXY_DETECT_TIMEOUT_MS: '2000' });
    const deadline = Date.now() + 10_000;
    while ((await fetch(url(proxy.admin, '/ready'))).status !== 200) {
      assert.ok(Date.now() < deadline, `proxy not ready: ${proxy.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    attempt = (a) =>
      meshed({
        to: proxy.inbound,
        servername: formatDnsName(SERVER),
        trustAnchorPem: ca.trustAnchorPem,
        header: { port: app.addr.port, protocol: 'http1' },
        payload: forgedRequest('/meshed'),
        ...a,
      });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('a peer with a certificate from the anchor reaches the app, which sees its verified identity only', async () => {
    const peer = await ca.identity(CLIENT);
    const o = await attempt({ tls: { secureContext: peer.secureContext() } });
    const echo = echoed(o.answer);
    assert.ok(echo, `no answer from the app: ${JSON.stringify(o)}`);
    assert.equal(echo.headers['weft-client-id'], formatSpiffe(CLIENT));
    assert.equal(echo.headers['l5d-client-id'], undefined);
  });

  test('no client certificate: refused in the handshake (certificate_required), counted, nothing reaches the app', async () => {
    const before = { conns: app.connections, refused: await metric(proxy, 'proxy_inbound_refused_total', 'reason="no_client_cert"') };
    const o = await attempt({});
    assert.equal(o.error, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', JSON.stringify(o));
    assert.equal(o.answer, '');
    assert.equal(app.connections, before.conns);
    assert.equal(await metric(proxy, 'proxy_inbound_refused_total', 'reason="no_client_cert"'), before.refused + 1);
  });

  test('the issue’s repro with openssl s_client (TLS 1.3, mesh ALPN, SNI, no certificate) is refused', async () => {
    const r = await run('sh', ['-c', `printf 'GET / HTTP/1.1\\r\\n\\r\\n' | openssl s_client -connect ${formatAddress(proxy.inbound)} -servername ${formatDnsName(SERVER)} -alpn transport.weft.io/v1 -tls1_3 -ign_eof 2>&1`]);
    assert.match(r.stdout, /alert certificate required/i, r.stdout);
  });

  test('a self-signed client certificate naming a mesh identity: refused, counted, nothing reaches the app', async () => {
    const { keyPem, certPem } = await selfSigned();
    const before = { conns: app.connections, refused: await metric(proxy, 'proxy_inbound_refused_total', 'reason="untrusted_client_cert"') };
    const o = await attempt({ tls: { secureContext: createSecureContext({ key: keyPem, cert: certPem, ca: ca.trustAnchorPem }) } });
    assert.equal(echoed(o.answer), undefined, o.answer);
    assert.equal(o.answer, '');
    assert.equal(app.connections, before.conns);
    assert.equal(await metric(proxy, 'proxy_inbound_refused_total', 'reason="untrusted_client_cert"'), before.refused + 1);
  });

  test('a client certificate from another CA: refused, counted, nothing reaches the app', async () => {
    const other = await testPki();
    const foreign = await other.identity(CLIENT, { trustPem: ca.trustAnchorPem });
    const before = { conns: app.connections, refused: await metric(proxy, 'proxy_inbound_refused_total', 'reason="untrusted_client_cert"') };
    const o = await attempt({ tls: { secureContext: foreign.secureContext() } });
    assert.equal(o.answer, '');
    assert.equal(app.connections, before.conns);
    assert.equal(await metric(proxy, 'proxy_inbound_refused_total', 'reason="untrusted_client_cert"'), before.refused + 1);
  });

  // Version and group are settled before any certificate is looked at, so these clients need
  // none (a secureContext would also override the version and group options).
  test('TLS 1.2 is refused', async () => {
    const before = await metric(proxy, 'proxy_inbound_refused_total', 'reason="tls_handshake"');
    const o = await attempt({ tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } });
    assert.equal(o.secureConnect, false);
    assert.match(o.error ?? '', /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/i);
    assert.equal(o.answer, '');
    assert.equal(await metric(proxy, 'proxy_inbound_refused_total', 'reason="tls_handshake"'), before + 1);
  });

  for (const group of ['ffdhe8192', 'P-384']) {
    test(`a client offering only ${group} (not a configured group) is refused`, async () => {
      const before = await metric(proxy, 'proxy_inbound_refused_total', 'reason="tls_handshake"');
      const o = await attempt({ tls: { ecdhCurve: group } });
      assert.equal(o.secureConnect, false, JSON.stringify(o));
      assert.match(o.error ?? '', /HANDSHAKE_FAILURE|NO_SUITABLE|GROUP/i);
      assert.equal(o.answer, '');
      assert.equal(await metric(proxy, 'proxy_inbound_refused_total', 'reason="tls_handshake"'), before + 1);
    });
  }

  test('the same with openssl s_client: -tls1_2 and -groups ffdhe8192 fail the handshake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sec-ossl-'));
    try {
      const { keyPem, certPem } = await selfSigned();
      writeFileSync(join(dir, 'key.pem'), keyPem);
      writeFileSync(join(dir, 'cert.pem'), certPem);
      const base = `openssl s_client -connect ${formatAddress(proxy.inbound)} -servername ${formatDnsName(SERVER)} -alpn transport.weft.io/v1 -cert ${dir}/cert.pem -key ${dir}/key.pem </dev/null 2>&1`;
      const v12 = await run('sh', ['-c', base.replace('s_client', 's_client -tls1_2')]);
      assert.match(v12.stdout, /protocol version|handshake failure|no protocols available/i, v12.stdout);
      const ffdhe = await run('sh', ['-c', base.replace('s_client', 's_client -tls1_3 -groups ffdhe8192')]);
      assert.match(ffdhe.stdout, /handshake failure/i, ffdhe.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('after all that the proxy is alive and the app got only the one legitimate request', async () => {
    assert.ok(proxy.alive(), proxy.log());
    assert.equal(app.connections, 1);
  });
});
