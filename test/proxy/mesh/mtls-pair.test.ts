// Two proxies with real certificates from a test trust anchor: every protocol crosses the
// hop as mTLS, the bytes between the proxies are not plaintext, identities are checked both
// ways, and the app learns the verified client identity.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { WebSocket, WebSocketServer } from 'ws';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import type { TlsIdentity } from '../../../src/proxy/tls/context.js';
import { curl } from '../../helpers/exec.js';
import { echoClient, startGrpcEcho, unary } from '../../helpers/grpc-echo.js';
import { metricValue, startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend, tcpBackend, type Backend } from '../../helpers/servers.js';
import { testPki, type TestPki } from '../tls/fixtures.js';

const CLIENT = workloadId('shop', 'web');
const SERVER = workloadId('shop', 'catalog');
const clientId = formatSpiffe(CLIENT);
const serverId = formatSpiffe(SERVER);

/** A TCP relay that records every byte crossing it (what a capture between the proxies sees). */
async function recordingRelay(to: Address): Promise<{ addr: Address; seen: () => Buffer; connections: () => number; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer({ allowHalfOpen: true }, (a) => {
    connections++;
    const b = net.connect({ port: to.port, host: to.host, allowHalfOpen: true });
    for (const s of [a, b]) {
      sockets.add(s);
      s.on('error', () => {
        a.destroy();
        b.destroy();
      });
    }
    a.on('data', (c: Buffer) => chunks.push(c));
    b.on('data', (c: Buffer) => chunks.push(c));
    a.pipe(b);
    b.pipe(a);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    addr: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
    seen: () => Buffer.concat(chunks),
    connections: () => connections,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

interface MeshedPair {
  outbound: ProxyHandle;
  inbound: ProxyHandle;
  relay: Awaited<ReturnType<typeof recordingRelay>>;
  close(): Promise<void>;
}

async function meshedPair(app: Address, clientTls: TlsIdentity, serverTls: TlsIdentity, expect = serverId, clientEnv: Record<string, string> = {}): Promise<MeshedPair> {
  const inbound = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app), WEFT_PROXY_DETECT_TIMEOUT_MS: '2000' }, { tlsIdentity: Object.assign(serverTls, { localName: serverId }) });
  const relay = await recordingRelay(inbound.inbound);
  const outbound = await startTestProxy(
    { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(relay.addr), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: expect, WEFT_PROXY_DETECT_TIMEOUT_MS: '2000', ...clientEnv },
    { tlsIdentity: Object.assign(clientTls, { localName: clientId }) },
  );
  return {
    outbound,
    inbound,
    relay,
    async close() {
      await outbound.close();
      await relay.close();
      await inbound.close();
    },
  };
}

describe('mTLS between two proxies', () => {
  let pki: TestPki;
  let app: Backend;
  let pair: MeshedPair;
  before(async () => {
    pki = await testPki();
    app = await httpBackend();
    pair = await meshedPair(app.addr, await pki.identity(CLIENT), await pki.identity(SERVER));
  });
  after(async () => {
    await pair.close();
    await app.close();
  });

  test('HTTP/1: the app sees the verified client identity, the wire carries no plaintext', async () => {
    const marker = 'PLAINTEXT-MARKER-' + 'z'.repeat(32);
    const r = await curl([url(pair.outbound.outbound, '/secret'), '-H', `x-marker: ${marker}`, '-H', 'weft-client-id: spiffe://evil/ns/x/sa/y']);
    assert.equal(r.status, 200, r.body);
    const echo = JSON.parse(r.body);
    assert.equal(echo.headers['weft-client-id'], clientId);
    assert.equal(echo.headers['x-marker'], marker);
    assert.ok(pair.relay.seen().length > 0);
    assert.equal(pair.relay.seen().includes(marker), false, 'payload crossed the wire in plaintext');
    assert.equal(await metricValue(pair.inbound, 'request_total', { direction: 'inbound', tls: 'true', client_id: clientId }), 1);
    assert.equal(await metricValue(pair.outbound, 'request_total', { direction: 'outbound', tls: 'true', server_id: serverId }), 1);
  });

  // WEFT_PROXY_MESH_HTTP1_OVER_H2=false: HTTP/1 over pooled mTLS connections, kept alive between requests.
  test('with WEFT_PROXY_MESH_HTTP1_OVER_H2=false, sequential HTTP/1 requests reuse one pooled mTLS connection between the proxies', async () => {
    const h1pair = await meshedPair(app.addr, await pki.identity(CLIENT), await pki.identity(SERVER), serverId, { WEFT_PROXY_MESH_HTTP1_OVER_H2: 'false' });
    try {
      for (let i = 0; i < 10; i++) {
        const r = await fetch(url(h1pair.outbound.outbound, `/s${i}`), { headers: { connection: 'close', 'weft-client-id': 'spiffe://evil/ns/x/sa/y' } });
        assert.equal(r.status, 200);
        assert.equal((JSON.parse(await r.text()) as { headers: Record<string, string> }).headers['weft-client-id'], clientId);
      }
      assert.ok(h1pair.relay.connections() <= 1, `${h1pair.relay.connections()} connections between the proxies`);
    } finally {
      await h1pair.close();
    }
  });

  test('with WEFT_PROXY_MESH_HTTP1_OVER_H2=true, concurrent HTTP/1 requests share one multiplexed HTTP/2 connection between the proxies', async () => {
    const h2pair = await meshedPair(app.addr, await pki.identity(CLIENT), await pki.identity(SERVER), serverId, { WEFT_PROXY_MESH_HTTP1_OVER_H2: 'true' });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const r = await fetch(url(h2pair.outbound.outbound, `/c${i}`), { headers: { connection: 'close', 'weft-client-id': 'spiffe://evil/ns/x/sa/y' } });
          return { status: r.status, length: r.headers.get('content-length'), echo: JSON.parse(await r.text()) as { url: string; headers: Record<string, string> } };
        }),
      );
      assert.ok(results.every((r, i) => r.status === 200 && r.echo.url === `/c${i}`));
      assert.ok(results.every((r) => r.length !== null), 'the app\'s Content-Length was lost on the HTTP/2 hop');
      assert.equal(results[0]?.echo.headers['weft-orig-proto'], undefined, 'the marker does not reach the app');
      assert.equal(results[0]?.echo.headers['weft-client-id'], clientId);
      assert.ok(h2pair.relay.connections() <= 1, `${h2pair.relay.connections()} connections between the proxies`);
      assert.equal(await metricValue(h2pair.inbound, 'request_total', { direction: 'inbound', tls: 'true', client_id: clientId }), 40);
    } finally {
      await h2pair.close();
    }
  });

  test('a plaintext client reaching the inbound proxy directly cannot forge weft-client-id', async () => {
    const r = await curl([url(pair.inbound.inbound, '/'), '-H', `weft-client-id: ${clientId}`]);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).headers['weft-client-id'], undefined);
    assert.ok((await metricValue(pair.inbound, 'request_total', { tls: 'no_identity' })) >= 1);
  });
});

describe('mTLS carries every protocol', () => {
  test('gRPC unary and bidi streaming over the meshed hop', async (t) => {
    const pki = await testPki();
    const g = await startGrpcEcho();
    const pair = await meshedPair({ host: '127.0.0.1', port: g.port }, await pki.identity(CLIENT), await pki.identity(SERVER));
    const c = echoClient(formatAddress(pair.outbound.outbound));
    t.after(async () => {
      c.close();
      await pair.close();
      await g.close();
    });
    assert.deepEqual(await unary(c, { text: 'meshed-grpc-payload', n: 1 }), { text: 'echo:meshed-grpc-payload', n: 2 });
    const call = c.Bidi();
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      call.on('data', (m: { text: string }) => got.push(m.text));
      call.on('end', resolve);
      call.on('error', reject);
      for (let i = 0; i < 20; i++) call.write({ text: `b${i}`, n: i });
      call.end();
    });
    assert.equal(got.length, 20);
    assert.equal(pair.relay.seen().includes('meshed-grpc-payload'), false);
    assert.equal(await metricValue(pair.inbound, 'response_total', { tls: 'true', client_id: clientId, status_code: '200' }), 2);
  });

  test('across the hop, over HTTP/2 and over pooled HTTP/1: a "gzip, chunked" answer keeps its gzip, a HEAD answer its Content-Length', async (t) => {
    const pki = await testPki();
    const coded = gzipSync('meshed coded payload');
    // Every head gets its answer (the proxies reuse pooled connections).
    const app = await tcpBackend((s) =>
      s.on('data', (c: Buffer) =>
        s.write(
          c.toString('latin1').startsWith('HEAD ')
            ? 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'
            : Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${coded.length.toString(16)}\r\n`), coded, Buffer.from('\r\n0\r\n\r\n')]),
        ),
      ),
    );
    t.after(() => app.close());
    for (const overH2 of ['true', 'false']) {
      const pair = await meshedPair(app.addr, await pki.identity(CLIENT), await pki.identity(SERVER), serverId, { WEFT_PROXY_MESH_HTTP1_OVER_H2: overH2 });
      try {
        const { head, body } = await new Promise<{ head: string; body: Buffer }>((resolve, reject) => {
          const req = http.get(url(pair.outbound.outbound, '/coded'), { headers: { connection: 'close' } }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => resolve({ head: String(res.headers['transfer-encoding']), body: Buffer.concat(parts) }));
          });
          req.on('error', reject);
        });
        assert.equal(head, 'gzip, chunked', `over HTTP/2 ${overH2}`);
        assert.equal(gunzipSync(body).toString(), 'meshed coded payload');
        const sized = await fetch(url(pair.outbound.outbound, '/sized'), { method: 'HEAD' });
        assert.equal(sized.status, 200);
        assert.equal(sized.headers.get('content-length'), '1234', `HEAD over HTTP/2 ${overH2}`);
      } finally {
        await pair.close();
      }
    }
  });

  test('opaque TCP over the meshed hop, with the transport header', async (t) => {
    const pki = await testPki();
    const echo = await tcpBackend();
    const pair = await meshedPair(echo.addr, await pki.identity(CLIENT), await pki.identity(SERVER));
    t.after(async () => {
      await pair.close();
      await echo.close();
    });
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ port: pair.outbound.outbound.port, host: '127.0.0.1', allowHalfOpen: true });
      let d = '';
      s.on('data', (c) => (d += c));
      s.on('end', () => resolve(d));
      s.on('error', reject);
      s.end('\x00opaque-secret-bytes\x01');
    });
    assert.equal(got, '\x00opaque-secret-bytes\x01');
    assert.equal(pair.relay.seen().includes('opaque-secret-bytes'), false);
  });
});

describe('WebSocket over the meshed hop', () => {
  test('an Upgrade to a meshed peer is tunnelled over mTLS', async (t) => {
    const pki = await testPki();
    const server = http.createServer((_q, r) => r.end('plain'));
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (m, bin) => ws.send(m, { binary: bin })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const pair = await meshedPair({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, await pki.identity(CLIENT), await pki.identity(SERVER));
    t.after(async () => {
      await pair.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const ws = new WebSocket(`ws://${formatAddress(pair.outbound.outbound)}/chat`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString())));
    ws.send('websocket-secret-frame');
    assert.equal(await reply, 'websocket-secret-frame');
    ws.close();
    await new Promise((r) => ws.once('close', r));
    assert.ok(pair.relay.seen().length > 0);
    assert.equal(pair.relay.seen().includes('websocket-secret-frame'), false);
    assert.equal(pair.relay.seen().includes('Upgrade'), false, 'the upgrade request itself crossed in plaintext');
  });
});

describe('mTLS refuses the wrong peers', () => {
  test('a server with the wrong identity is refused: 502 naming the mismatch', async (t) => {
    const pki = await testPki();
    const app = await httpBackend();
    const pair = await meshedPair(app.addr, await pki.identity(CLIENT), await pki.identity(workloadId('shop', 'impostor')));
    t.after(async () => {
      await pair.close();
      await app.close();
    });
    const r = await curl([url(pair.outbound.outbound, '/')]);
    assert.equal(r.status, 502);
    assert.match(r.headers['weft-proxy-error'] ?? '', /identity/i);
    assert.equal(app.connections, 0);
  });

  test('a client certificate from another trust anchor is refused by the server', async (t) => {
    const pki = await testPki();
    const other = await testPki();
    const app = await httpBackend();
    // The client trusts the real anchor but holds a leaf from another one.
    const pair = await meshedPair(app.addr, await other.identity(CLIENT, { trustPem: pki.anchorPem }), await pki.identity(SERVER));
    t.after(async () => {
      await pair.close();
      await app.close();
    });
    const r = await curl([url(pair.outbound.outbound, '/')]);
    assert.equal(r.status, 502);
    assert.equal(app.connections, 0);
  });

  test('an expired server certificate is refused', async (t) => {
    const pki = await testPki();
    const app = await httpBackend();
    const pair = await meshedPair(app.addr, await pki.identity(CLIENT), await pki.identity(SERVER, { expired: true }));
    t.after(async () => {
      await pair.close();
      await app.close();
    });
    const r = await curl([url(pair.outbound.outbound, '/')]);
    assert.equal(r.status, 502);
    assert.match(r.headers['weft-proxy-error'] ?? '', /expired|certificate/i);
    assert.equal(app.connections, 0);
  });
});
