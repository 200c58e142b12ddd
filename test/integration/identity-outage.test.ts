// The identity service down across a certificate renewal: the proxies keep their valid
// certificate and keep serving meshed traffic, retry with backoff (counted in
// identity_cert_refresh_failure_count), /ready stays true while the certificate is valid and
// turns false once it has expired; when the service returns they certify again and are ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCaDirectory } from '../../src/control/identity/store.js';
import { startIdentityService, type IdentityService } from '../../src/control/identity/service.js';
import { formatAddress } from '../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../src/lib/spiffe.js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { sleep, until } from '../helpers/http-load.js';
import { metricValue, startTestProxy, url } from '../helpers/proxy.js';
import { httpBackend } from '../helpers/servers.js';

const LEAF_MS = 5000;

const readyStatus = async (p: ProxyHandle): Promise<number> => (await fetch(url(p.admin, '/ready'))).status;

async function meshedGet(client: ProxyHandle): Promise<string | undefined> {
  try {
    const r = await fetch(url(client.outbound, '/'));
    const body = await r.text();
    return r.status === 200 && body === 'ok' ? undefined : `${r.status} ${r.headers.get('weft-proxy-error') ?? body}`;
  } catch (e) {
    return (e as Error).message;
  }
}

test('identity service down across a renewal: valid certificates keep serving, retries are counted, /ready is truthful, recovery on return', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-idout-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initCaDirectory({ dir: join(dir, 'ca') });
  const opts = { dir: join(dir, 'ca'), leafLifetimeMs: LEAF_MS };
  let ca: IdentityService = await startIdentityService({ ...opts, listen: { host: '127.0.0.1', port: 0 } });
  const port = ca.port;
  t.after(() => ca.close());
  writeFileSync(join(dir, 'anchor.pem'), ca.trustAnchorPem);
  const env = (sa: string): Record<string, string> => {
    const id = workloadId('idout', sa);
    writeFileSync(join(dir, `${sa}.token`), ca.issueJoinToken(id, 600_000), { mode: 0o600 });
    return {
      WEFT_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${port}`,
      WEFT_PROXY_IDENTITY_LOCAL_NAME: formatSpiffe(id),
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS_FILE: join(dir, 'anchor.pem'),
      WEFT_PROXY_IDENTITY_TOKEN_FILE: join(dir, `${sa}.token`),
    };
  };
  const app = await httpBackend((_q, s) => s.end('ok'));
  t.after(() => app.close());
  const server = await startTestProxy({ ...env('server'), WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr) });
  const client = await startTestProxy({
    ...env('client'),
    WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(server.inbound),
    WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: formatSpiffe(workloadId('idout', 'server')),
  });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  await Promise.all([server.ready, client.ready]);
  assert.equal(await meshedGet(client), undefined);
  // X.509 times have whole seconds: the proxies' own figure says when their certificates end.
  const expiry = 1000 * Math.min(await metricValue(server, 'identity_cert_expiration_timestamp_seconds'), await metricValue(client, 'identity_cert_expiration_timestamp_seconds'));
  assert.ok(expiry - Date.now() > 2500, `certificates expire in ${expiry - Date.now()} ms`);

  // The identity service goes away before the first renewal is due.
  await ca.close();
  const failures: string[] = [];
  let requests = 0;
  // Serve until shortly before the certificates expire: they are valid, so nothing may fail.
  while (Date.now() < expiry - 700) {
    const f = await meshedGet(client);
    if (f) failures.push(f);
    requests++;
    await sleep(10);
  }
  assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${requests} meshed requests failed with the identity service down`);
  assert.ok(requests > 50, `only ${requests} requests`);
  for (const p of [server, client]) {
    assert.equal(await readyStatus(p), 200, '/ready false while the certificate is valid');
    assert.ok((await metricValue(p, 'identity_cert_refresh_failure_count')) >= 1, 'no failed renewal counted');
    assert.equal(await metricValue(p, 'identity_cert_refresh_count'), 1);
  }

  // Past expiry: not ready, truthfully.
  await sleep(Math.max(0, expiry + 1300 - Date.now())); // the metric rounds down to the second
  for (const p of [server, client]) assert.equal(await readyStatus(p), 503, '/ready true with an expired certificate');

  // The service returns (same CA, same port): both certify again (backoff: within ~10 s) and serve.
  ca = await startIdentityService({ ...opts, listen: { host: '127.0.0.1', port } });
  const back = Date.now();
  await until('both proxies certified again', async () => (await readyStatus(server)) === 200 && (await readyStatus(client)) === 200, 20_000);
  t.diagnostic(`${requests} meshed requests with the identity service down, 0 failed; ready again ${Date.now() - back} ms after it returned`);
  for (const p of [server, client]) assert.ok((await metricValue(p, 'identity_cert_refresh_count')) >= 2);
  await until('meshed traffic again', async () => (await meshedGet(client)) === undefined, 5000);
});
