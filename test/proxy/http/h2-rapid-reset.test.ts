// Regression (issue 17): one 72 KB write of HEADERS + RST_STREAM pairs (the rapid-reset shape of
// CVE-2023-44487) used to kill `weft proxy` with a TypeError in routeH2. Against a real proxy
// process: one connection of it, ten at once, and the same over the inbound mTLS port. The
// proxy must stay alive and serve other clients meanwhile, close the flooding sessions (no
// socket left in CLOSE_WAIT), count the limit, and give its memory back afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { MeshConnector } from '../../../src/proxy/mesh/connector.js';
import { FRAME, parseFrames, rapidResetBytes } from '../../helpers/h2-frames.js';
import { sleep, until } from '../../helpers/http-load.js';
import { startMeshCa } from '../../helpers/mesh-ca.js';
import { settledRss } from '../../helpers/proxy-probe.js';
import { startProxyProcess, type ProxyProcess } from '../../helpers/proxy-process.js';
import { url } from '../../helpers/proxy.js';
import { h2Backend, httpBackend } from '../../helpers/servers.js';

const { NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** Writes the flood on `socket` and collects the answer until the proxy closes (or 5 s). */
function flood(socket: Duplex, pairs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(got));
    };
    const timer = setTimeout(done, 5000);
    socket.on('data', (c: Buffer) => got.push(c));
    socket.on('error', () => {});
    socket.once('close', done);
    socket.once('end', done);
    socket.write(rapidResetBytes(pairs));
  });
}

const plainFlood = (to: Address, pairs: number): Promise<Buffer> => flood(net.connect(to.port, to.host), pairs);

const goawayCodes = (answer: Buffer): number[] =>
  parseFrames(answer).filter((f) => f.type === FRAME.GOAWAY).map((f) => f.payload.readUInt32BE(4));

async function metric(p: ProxyProcess, name: string, match = ''): Promise<number> {
  const text = await (await fetch(url(p.admin, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

const h2c = (to: Address) => async (): Promise<http2.ClientHttp2Session> => http2.connect(`http://${formatAddress(to)}`);

/** GETs through the proxy on sessions from `connect`, one after another, until stopped: how many got 200, and what the others got. */
function goodClient(connect: () => Promise<http2.ClientHttp2Session>): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let stopped = false;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (!stopped) {
      let session: http2.ClientHttp2Session | undefined;
      try {
        const live = (session = await connect());
        live.on('error', () => {});
        for (let i = 0; i < 20 && !stopped; i++) {
          const [status, why] = await new Promise<[number, string]>((resolve, reject) => {
            const req = live.request({ ':path': '/good' });
            let s = 0;
            let w = '';
            req.on('response', (h) => {
              s = Number(h[':status']);
              w = String(h['weft-proxy-error'] ?? '');
            });
            req.on('error', reject);
            req.on('close', () => resolve([s, w]));
            req.resume();
            req.end();
          });
          if (status === 200) ok++;
          else failures.push(`status ${status} ${why}`);
        }
      } catch (err) {
        failures.push(String((err as Error).message));
      } finally {
        session?.close();
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { ok, failures };
    },
  };
}

async function assertServing(p: ProxyProcess, h2: Address): Promise<void> {
  assert.ok(p.alive(), `proxy died: ${p.log()}`);
  assert.equal((await fetch(url(p.admin, '/live'))).status, 200);
  const session = http2.connect(`http://${formatAddress(h2)}`);
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/after' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    assert.equal(status, 200);
  } finally {
    session.close();
  }
}

test('rapid reset on the outbound h2c listener: one connection, then ten; the proxy lives, serves others, closes the floods and gives memory back', { timeout: 150_000 }, async (t) => {
  const backend = await h2Backend();
  t.after(() => backend.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(backend.addr), WEFT_PROXY_IDENTITY_DISABLED: '1' });
  await assertServing(p, p.outbound);
  const baseline = p.rssKb();

  const good = goodClient(h2c(p.outbound));
  const first = await plainFlood(p.outbound, 2000);
  const many = await Promise.all(Array.from({ length: 10 }, () => plainFlood(p.outbound, 2000)));
  const { ok, failures } = await good.stop();

  // Every flooding session was told to calm down and closed.
  for (const answer of [first, ...many]) assert.ok(goawayCodes(answer).length > 0, 'no GOAWAY for a flooding session');
  // Ours (ENHANCE_YOUR_CALM) or nghttp2's own reset limit (INTERNAL_ERROR): on Node 24 (nghttp2
  // 1.70) nghttp2 counts the RST_STREAMs as it parses one 72 KB write and closes the session
  // before Node hands the proxy the streams' 'close' events; the proxy's budget still counts the
  // flood (the metric below).
  const codes = [first, ...many].flatMap((a) => goawayCodes(a));
  assert.ok(codes.some((c) => c === NGHTTP2_ENHANCE_YOUR_CALM || c === http2.constants.NGHTTP2_INTERNAL_ERROR), `GOAWAY codes ${codes.join(',')}`);
  assert.ok(ok > 0, 'the other client got nothing through');
  assert.deepEqual(failures, [], 'the other client failed');
  await assertServing(p, p.outbound);
  assert.ok((await metric(p, 'proxy_limit_hits_total', 'limit="h2_reset_flood"')) >= 11);
  assert.equal(await metric(p, 'proxy_internal_errors_total'), 0);
  // No flooded socket lingers (it used to stay in CLOSE_WAIT with unread bytes for 300 s).
  await until('flood connections closed', async () => (await metric(p, 'tcp_open_connections', 'direction="outbound"')) === 0, 3000);

  // The V8 heap is back to its size before the floods once the proxy's reclaim collection has
  // run (memory-reclaim.ts); what glibc keeps of nghttp2's native allocations varies from run to
  // run: +5 to +35 MB on Node 20, +9 to +42 MB on Node 24 (nghttp2 1.70, the proxy's runtime),
  // measured 2026-12-03. Before the fix the process grew by >110 MB and never gave any back.
  await assertMemoryComesBack(t, p, baseline);
});

/** RSS settles within 55 MB of `baseline` (see above), and comes down from its peak unless that stayed within 15 MB. */
async function assertMemoryComesBack(t: { diagnostic(m: string): void }, p: ProxyProcess, baseline: number): Promise<void> {
  const peak = p.rssKb();
  const after = await settledRss(p, baseline, 15 * 1024, 60_000);
  t.diagnostic(`RSS baseline ${(baseline / 1024).toFixed(0)} MB, after the floods ${(peak / 1024).toFixed(0)} MB, settled ${(after / 1024).toFixed(0)} MB`);
  assert.ok(after <= baseline + 55 * 1024, `RSS stayed at ${after} KiB (baseline ${baseline} KiB)`);
  assert.ok(after < peak || peak <= baseline + 15 * 1024, `RSS did not come down from ${peak} KiB`);
}

test('rapid reset over the inbound mTLS port from a peer with a mesh identity: the proxy lives, serves another meshed client, closes the sessions and gives memory back', { timeout: 150_000 }, async (t) => {
  const ca = await startMeshCa(t);
  const identityEnv = (sa: string): Record<string, string> => ca.proxyEnv(workloadId('rr', sa));
  const app = await h2Backend();
  t.after(() => app.close());
  const h1app = await httpBackend((_q, s) => s.end('ok'));
  t.after(() => h1app.close());
  // Five TLS floods keep the proxy's event loop busy for a while on this shared 2-core machine:
  // a new upstream session may take longer than the default 1 s to exchange SETTINGS. That is
  // CPU, not the interference between clients this test is about.
  const p = await startProxyProcess(t, { ...identityEnv('server'), WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_CONNECT_TIMEOUT_MS: '5000' });
  await until('proxy ready', async () => (await fetch(url(p.admin, '/ready'))).status === 200, 10_000);

  // The attacker holds a real certificate from the same CA (as any meshed workload would).
  const identity = await ca.identity(workloadId('rr', 'attacker'));
  await identity.ready;
  const connector = new MeshConnector(identity, 10_000);
  const meshedTls = () => connector.connect(p.inbound, formatSpiffe(workloadId('rr', 'server')), { port: app.addr.port, protocol: 'http2' });
  const meshedFlood = async (): Promise<Buffer> => flood(await meshedTls(), 2000);
  // A legitimate meshed peer (its own certificate) keeps sending requests through the floods.
  const client = await ca.identity(workloadId('rr', 'client'));
  const clientConnector = new MeshConnector(client, 10_000);
  const meshedSession = async (): Promise<http2.ClientHttp2Session> => {
    const tls = await clientConnector.connect(p.inbound, formatSpiffe(workloadId('rr', 'server')), { port: app.addr.port, protocol: 'http2' });
    return http2.connect(`http://${formatAddress(p.inbound)}`, { createConnection: () => tls });
  };
  const warm = goodClient(meshedSession);
  await sleep(300);
  await warm.stop();
  const baseline = p.rssKb();

  const good = goodClient(meshedSession);
  const answers = [await meshedFlood(), ...(await Promise.all(Array.from({ length: 4 }, meshedFlood)))];
  const { ok, failures } = await good.stop();
  assert.ok(ok > 0, 'the other meshed client got nothing through');
  assert.deepEqual(failures, [], 'the other meshed client failed');
  for (const a of answers) assert.ok(goawayCodes(a).length > 0, 'no GOAWAY for a flooding meshed session');
  assert.ok(p.alive(), `proxy died: ${p.log()}`);
  assert.equal((await fetch(url(p.admin, '/live'))).status, 200);
  assert.ok((await metric(p, 'proxy_limit_hits_total', 'direction="inbound",limit="h2_reset_flood"')) >= 5);
  assert.equal(await metric(p, 'proxy_internal_errors_total'), 0);
  await until('meshed flood connections closed', async () => (await metric(p, 'tcp_open_connections', 'direction="inbound"')) === 0, 3000);
  // A well-behaved meshed peer still gets through afterwards.
  const session = await meshedSession();
  t.after(() => session.destroy());
  const status = await new Promise<number>((resolve, reject) => {
    const req = session.request({ ':path': '/meshed' });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.resume();
    req.end();
  });
  assert.equal(status, 200);
  session.destroy();
  await assertMemoryComesBack(t, p, baseline);
});
