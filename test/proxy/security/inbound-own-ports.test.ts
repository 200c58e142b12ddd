// Regression (issue 19, item 3): the transport header of a meshed connection names the app port,
// and without WEFT_PROXY_INBOUND_DEFAULT_DST (the interception setup) the proxy used to trust
// it: {"port": <admin port>} reached /env.json and POST /shutdown stopped the proxy. Against a
// real `weft proxy` process with a real certificate: a header naming any of the proxy's own
// ports is refused and counted (even from a peer with a valid mesh certificate); with a default
// destination the header port does not matter; a default destination that is itself one of the
// proxy's ports is refused too; plaintext to the inbound port without an original destination
// never reaches the admin. The tap port is one of them too: bound on port 0 (known only once
// bound) or configured (known before), and an original destination (SO_ORIGINAL_DST after an
// iptables REDIRECT, in a namespace of the test's own) on it is refused too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Address } from '../../../src/lib/address.js';
import { formatAddress } from '../../../src/lib/address.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { SoOriginalDst } from '../../../src/proxy/tcp/so-original-dst.js';
import { createNamespace, deleteNamespace, execInNamespace, netnsSupport } from '../../../src/runtime/local/netns.js';
import { startMeshCa, type MeshCa } from '../../helpers/mesh-ca.js';
import { sleep, until } from '../../helpers/http-load.js';
import { startProxyProcess, type ProxyProcess } from '../../helpers/proxy-process.js';
import { url } from '../../helpers/proxy.js';
import { deadPort, httpBackend } from '../../helpers/servers.js';
import { echoed, meshed, plain } from './attack.js';

const SERVER = workloadId('shop', 'catalog');
const CLIENT = workloadId('shop', 'web');
type T = { after(fn: () => void | Promise<void>): void };

async function metric(p: ProxyProcess, name: string, match = ''): Promise<number> {
  const text = await (await fetch(url(p.admin, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

async function meshedProxy(t: T, ca: MeshCa, env: Record<string, string> = {}): Promise<ProxyProcess> {
  const p = await startProxyProcess(t, { ...ca.proxyEnv(SERVER), WEFT_PROXY_DETECT_TIMEOUT_MS: '2000', WEFT_PROXY_SHUTDOWN_GRACE_MS: '100', ...env });
  await until('proxy ready', async () => (await fetch(url(p.admin, '/ready'))).status === 200, 10_000);
  return p;
}

const SHUTDOWN = 'POST /shutdown HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const ENV_JSON = 'GET /env.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

test('a transport header naming the admin, inbound or outbound port is refused and counted, for every protocol; the proxy lives', { timeout: 60_000 }, async (t) => {
  const ca = await startMeshCa(t);
  const p = await meshedProxy(t, ca);
  const peer = await ca.identity(CLIENT);
  const attack = (to: Address, port: number, protocol: string, payload: string) =>
    meshed({ to, servername: formatDnsName(SERVER), trustAnchorPem: ca.trustAnchorPem, tls: { secureContext: peer.secureContext() }, header: { port, protocol }, payload });
  let refused = 0;
  for (const [name, port] of [['admin', p.admin.port], ['inbound', p.inbound.port], ['outbound', p.outbound.port]] as const) {
    for (const protocol of ['http1', 'opaque', 'http2']) {
      for (const payload of [SHUTDOWN, ENV_JSON]) {
        const o = await attack(p.inbound, port, protocol, payload);
        assert.equal(o.secureConnect, true, 'a valid peer completes the handshake');
        assert.equal(o.answer, '', `${name} port via ${protocol} answered: ${o.answer.slice(0, 200)}`);
        refused++;
      }
    }
  }
  await sleep(300); // a shutdown, had it got through, would be under way
  assert.ok(p.alive(), `the proxy stopped: ${p.log()}`);
  assert.equal((await fetch(url(p.admin, '/ready'))).status, 200);
  assert.equal(await metric(p, 'proxy_inbound_refused_total', 'reason="own_port"'), refused);
});

test('with WEFT_PROXY_INBOUND_DEFAULT_DST the header port does not matter: the request goes to the app, not the admin', { timeout: 60_000 }, async (t) => {
  const ca = await startMeshCa(t);
  const app = await httpBackend();
  t.after(() => app.close());
  const p = await meshedProxy(t, ca, { WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr) });
  const peer = await ca.identity(CLIENT);
  const o = await meshed({ to: p.inbound, servername: formatDnsName(SERVER), trustAnchorPem: ca.trustAnchorPem, tls: { secureContext: peer.secureContext() }, header: { port: p.admin.port, protocol: 'http1' }, payload: SHUTDOWN });
  assert.equal(echoed(o.answer)?.url, '/shutdown', o.answer);
  await sleep(300);
  assert.ok(p.alive(), p.log());
});

test('a default destination that is one of the proxy’s own ports is refused, meshed and plaintext', { timeout: 60_000 }, async (t) => {
  const ca = await startMeshCa(t);
  // The admin on a port chosen up front, and the default destination pointing at it.
  const admin = await deadPort();
  const p = await meshedProxy(t, ca, { WEFT_PROXY_ADMIN_LISTEN_ADDR: formatAddress(admin), WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(admin) });
  const peer = await ca.identity(CLIENT);
  const o = await meshed({ to: p.inbound, servername: formatDnsName(SERVER), trustAnchorPem: ca.trustAnchorPem, tls: { secureContext: peer.secureContext() }, header: { port: 8080, protocol: 'http1' }, payload: SHUTDOWN });
  assert.equal(o.answer, '');
  assert.equal(await plain(p.inbound, [SHUTDOWN]), '');
  assert.equal(await plain(p.inbound, [ENV_JSON]), '');
  await sleep(300);
  assert.ok(p.alive(), p.log());
  assert.equal(await metric(p, 'proxy_inbound_refused_total', 'reason="own_port"'), 3);
});

test('plaintext to the inbound port with no original destination never reaches the admin', { timeout: 60_000 }, async (t) => {
  const p = await startProxyProcess(t, { WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_DETECT_TIMEOUT_MS: '300', WEFT_PROXY_SHUTDOWN_GRACE_MS: '100' });
  const shutdown = await plain(p.inbound, [SHUTDOWN]);
  assert.match(shutdown, /^HTTP\/1\.1 5\d\d /, shutdown);
  assert.doesNotMatch(shutdown, /shutdown\n/);
  const env = await plain(p.inbound, [ENV_JSON]);
  assert.doesNotMatch(env, /WEFT_PROXY_/);
  // Opaque bytes (silence until the detect timeout, then data) are reset: there is nowhere to go.
  const opaque = await new Promise<string>((resolve) => {
    const s = net.connect(p.inbound.port, p.inbound.host);
    let got = '';
    s.on('data', (c) => (got += c));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    setTimeout(() => s.write('\x00\x01opaque'), 500);
    setTimeout(() => s.destroy(), 3000);
  });
  assert.equal(opaque, '');
  await sleep(300);
  assert.ok(p.alive(), p.log());
});

/** The tap listener's bound port, from its log line (the proxy's first line names only outbound, inbound and admin). */
async function tapPort(p: ProxyProcess): Promise<number> {
  let port = 0;
  await until('tap listening', async () => (port = Number(/tap listening.*?addr="[\d.]+:(\d+)"/.exec(p.log())?.[1] ?? 0)) > 0, 10_000);
  return port;
}

test('the tap port (bound on port 0, added to the own ports once bound) can be named neither by the transport header nor by the default destination', { timeout: 60_000 }, async (t) => {
  const ca = await startMeshCa(t);
  const tapEnv = { WEFT_PROXY_TAP_SVC_NAME: formatSpiffe(workloadId('weft-viz', 'tap')), WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0' };
  const p = await meshedProxy(t, ca, tapEnv);
  const tap = await tapPort(p);
  const peer = await ca.identity(CLIENT);
  let refused = 0;
  for (const protocol of ['http1', 'opaque', 'http2']) {
    const o = await meshed({ to: p.inbound, servername: formatDnsName(SERVER), trustAnchorPem: ca.trustAnchorPem, tls: { secureContext: peer.secureContext() }, header: { port: tap, protocol }, payload: ENV_JSON });
    assert.equal(o.secureConnect, true);
    assert.equal(o.answer, '', `tap port via ${protocol} answered: ${o.answer.slice(0, 200)}`);
    refused++;
  }
  assert.equal(await metric(p, 'proxy_inbound_refused_total', 'reason="own_port"'), refused);
  // The port refused is a live listener: the tap server still answers a TLS handshake on it.
  const reachable = await new Promise<boolean>((resolve) => {
    const s = net.connect(tap, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
  assert.ok(reachable, 'the tap listener is not listening');

  // A default destination on the tap port (chosen up front: the configured port is an own port before it is bound).
  const fixedTap = await deadPort();
  const q = await meshedProxy(t, ca, { ...tapEnv, WEFT_PROXY_TAP_LISTEN_ADDR: formatAddress(fixedTap), WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(fixedTap) });
  assert.equal(await tapPort(q), fixedTap.port);
  const o = await meshed({ to: q.inbound, servername: formatDnsName(SERVER), trustAnchorPem: ca.trustAnchorPem, tls: { secureContext: peer.secureContext() }, header: { port: 8080, protocol: 'opaque' }, payload: '\x16\x03\x01' });
  assert.equal(o.answer, '');
  assert.equal(await plain(q.inbound, [ENV_JSON]), '');
  assert.equal(await metric(q, 'proxy_inbound_refused_total', 'reason="own_port"'), 2);
  await sleep(300);
  assert.ok(p.alive() && q.alive(), p.log() + q.log());
});

const netns = await netnsSupport();
const odst = new SoOriginalDst().isAvailable();
const noIntercept = !netns.ok ? `needs root and ip netns: ${netns.reason}` : !odst.available ? odst.reason : false;

test('an original destination (iptables REDIRECT, SO_ORIGINAL_DST) on the tap port is refused and counted, in a namespace of the test’s own', { skip: noIntercept, timeout: 60_000 }, async (t) => {
  const ns = `wsec-od-${process.pid}`;
  await createNamespace(ns);
  t.after(() => deleteNamespace(ns));
  const fixture = fileURLToPath(new URL('./fixtures/orig-dst-tap.js', import.meta.url));
  const r = await execInNamespace(ns, process.execPath, [fixture]);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { tapServed: boolean; interception: boolean; answer: string; refused: number; alive: boolean };
  t.diagnostic(JSON.stringify(out));
  assert.equal(out.tapServed, true, 'tap is not listening');
  assert.equal(out.interception, true, 'interception unavailable in the namespace');
  assert.equal(out.answer, '');
  assert.equal(out.refused, 1);
  assert.equal(out.alive, true);
});
