// Regression (issue 19, item 4): a meshed ClientHello split over several TCP segments, or sent
// slowly, was not recognised (ALPN was looked for in the first segment only) and fell to opaque
// TCP. Against a real `weft proxy` process with a real certificate, a real meshed client goes
// through a relay that cuts its first flight into pieces with pauses between them: the proxy
// waits for the whole ClientHello record (bounded by its size and the detect timeout) and the
// app sees the client's verified identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Address } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { MeshConnector } from '../../../src/proxy/mesh/connector.js';
import { startMeshCa } from '../../helpers/mesh-ca.js';
import { until } from '../../helpers/http-load.js';
import { startProxyProcess } from '../../helpers/proxy-process.js';
import { url } from '../../helpers/proxy.js';
import { httpBackend } from '../../helpers/servers.js';
import { echoed, forgedRequest } from './attack.js';

const SERVER = workloadId('shop', 'catalog');
const CLIENT = workloadId('shop', 'web');

/**
 * A relay to `to` that writes the client's first chunk in pieces (cut at `cuts`), pausing
 * `pauseMs` before each, with Nagle off so each piece is its own segment; then plain piping.
 */
async function splittingRelay(t: { after(fn: () => void | Promise<void>): void }, to: Address, cuts: readonly number[], pauseMs: number): Promise<Address> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect({ port: to.port, host: to.host, noDelay: true });
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => (down.destroy(), up.destroy()));
      s.on('close', () => (down.destroy(), up.destroy()));
    }
    down.once('data', (first: Buffer) => {
      down.pause();
      void (async () => {
        let at = 0;
        for (const cut of [...cuts, first.length]) {
          if (cut <= at) continue;
          up.write(first.subarray(at, Math.min(cut, first.length)));
          at = cut;
          if (at < first.length) await new Promise((r) => setTimeout(r, pauseMs));
        }
        down.pipe(up);
        up.pipe(down);
        down.resume();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

test('a meshed ClientHello in several segments, quick or slow (within the detect timeout), is recognised as meshed', { timeout: 60_000 }, async (t) => {
  const ca = await startMeshCa(t);
  const app = await httpBackend();
  t.after(() => app.close());
  const p = await startProxyProcess(t, { ...ca.proxyEnv(SERVER), WEFT_PROXY_DETECT_TIMEOUT_MS: '3000' });
  await until('proxy ready', async () => (await fetch(url(p.admin, '/ready'))).status === 200, 10_000);
  const connector = new MeshConnector(await ca.identity(CLIENT), 10_000);
  const cases: [string, number[], number][] = [
    ['record header alone, then the rest', [5], 50],
    ['cut before the ALPN extension', [60], 50],
    ['three pieces', [3, 100], 50],
    ['slow: 1.2 s between pieces', [40, 200], 1200],
  ];
  for (const [name, cuts, pauseMs] of cases) {
    const relay = await splittingRelay(t, p.inbound, cuts, pauseMs);
    const tls = await connector.connect(relay, formatSpiffe(SERVER), { port: app.addr.port, protocol: 'http1' });
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      tls.on('data', (c: Buffer) => (got += c.toString('latin1')));
      tls.on('error', () => {});
      // The meshed socket is half-open capable: the proxy's FIN ends the answer.
      tls.on('end', () => (resolve(got), tls.destroy()));
      tls.on('close', () => resolve(got));
      tls.write(forgedRequest(`/${name.replace(/\W+/g, '-')}`));
    });
    const echo = echoed(answer);
    assert.ok(echo, `${name}: no answer from the app: ${answer}`);
    assert.equal(echo.headers['weft-client-id'], formatSpiffe(CLIENT), name);
  }
});
