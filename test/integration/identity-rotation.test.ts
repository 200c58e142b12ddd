// Certificates rotating under load: a real identity service issues 6-second leaves (and rotates
// its 8-second issuer) to two proxies while HTTP requests and fresh opaque TCP connections
// (each a new mTLS handshake) cross the meshed hop. Nothing may fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCaDirectory } from '../../src/control/identity/store.js';
import { startIdentityService } from '../../src/control/identity/service.js';
import { formatAddress } from '../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../src/lib/spiffe.js';
import { metricValue, startTestProxy, url } from '../helpers/proxy.js';
import { httpBackend, tcpBackend } from '../helpers/servers.js';

function echoOnce(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let d = '';
    s.on('data', (c) => (d += c));
    s.on('end', () => resolve(d));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.end(payload);
  });
}

test('leaf and issuer rotation under load: zero failed requests or connections', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-rotation-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initCaDirectory({ dir: join(dir, 'ca') });
  const ca = await startIdentityService({ dir: join(dir, 'ca'), listen: { host: '127.0.0.1', port: 0 }, leafLifetimeMs: 6000, issuerLifetimeMs: 8000 });
  t.after(() => ca.close());
  writeFileSync(join(dir, 'anchor.pem'), ca.trustAnchorPem);
  const env = (sa: string): Record<string, string> => {
    const id = workloadId('rot', sa);
    writeFileSync(join(dir, `${sa}.token`), ca.issueJoinToken(id), { mode: 0o600 });
    return {
      WEFT_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${ca.port}`,
      WEFT_PROXY_IDENTITY_LOCAL_NAME: formatSpiffe(id),
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS_FILE: join(dir, 'anchor.pem'),
      WEFT_PROXY_IDENTITY_TOKEN_FILE: join(dir, `${sa}.token`),
      WEFT_PROXY_DETECT_TIMEOUT_MS: '2000', // generous: a loaded CI machine may take 200 ms for the handshake and header
    };
  };

  const app = await httpBackend((_q, s) => s.end('ok'));
  const echo = await tcpBackend();
  t.after(() => app.close());
  t.after(() => echo.close());
  const httpServer = await startTestProxy({ ...env('server'), WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr) });
  const tcpServer = await startTestProxy({ ...env('server'), WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(echo.addr) });
  const common = { ...env('client'), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: formatSpiffe(workloadId('rot', 'server')) };
  const httpClient = await startTestProxy({ ...common, WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(httpServer.inbound) });
  const tcpClient = await startTestProxy({ ...common, WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(tcpServer.inbound) });
  t.after(async () => {
    for (const p of [httpClient, tcpClient, httpServer, tcpServer]) await p.close();
  });
  await Promise.all([httpServer.ready, tcpServer.ready, httpClient.ready, tcpClient.ready]);

  const until = Date.now() + 9000;
  let requests = 0;
  let connections = 0;
  const failures: string[] = [];
  const httpLoop = async (): Promise<void> => {
    while (Date.now() < until) {
      try {
        const r = await fetch(url(httpClient.outbound, '/'));
        const body = await r.text();
        if (r.status !== 200 || body !== 'ok') failures.push(`http ${r.status} ${r.headers.get('weft-proxy-error') ?? body}`);
      } catch (e) {
        failures.push(`http ${(e as Error).message}`);
      }
      requests++;
    }
  };
  const tcpLoop = async (): Promise<void> => {
    while (Date.now() < until) {
      const payload = `conn-${connections}-${Math.random()}`;
      try {
        const got = await echoOnce(tcpClient.outbound.port, payload);
        if (got !== payload) failures.push(`tcp got ${JSON.stringify(got)}`);
      } catch (e) {
        failures.push(`tcp ${(e as Error).message}`);
      }
      connections++;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all([httpLoop(), httpLoop(), tcpLoop(), tcpLoop()]);

  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failures of ${requests} requests and ${connections} connections`);
  assert.ok(requests > 100 && connections > 50, `load too small: ${requests} requests, ${connections} connections`);
  for (const p of [httpServer, tcpClient]) {
    assert.ok((await metricValue(p, 'identity_cert_refresh_count')) >= 3, 'certificates rotated at least twice');
  }
  assert.ok((await metricValue(tcpServer, 'tcp_open_total', { direction: 'inbound', tls: 'true' })) >= 50);
});
