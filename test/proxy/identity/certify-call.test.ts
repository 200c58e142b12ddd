// One Certify call against what can go wrong on the way: a service whose certificate is not
// from our anchors or not for the expected name, one that never answers, and HTTP/2 servers
// that answer with something other than a Certify response. Each is a CertifyFailedError that
// says what happened, with a gRPC code; nothing hangs. (The real identity service's happy path
// and its refusals are in client.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { certify, CERTIFY_PATH, type CertifyTarget } from '../../../src/proxy/identity/certify-call.js';
import { grpcFrame } from '../../../src/proxy/identity/certify-codec.js';
import type { CertifyFailedError } from '../../../src/proxy/identity/errors.js';
import { formatDnsName, workloadId } from '../../../src/lib/spiffe.js';
import { startMeshCa, type MeshCa } from '../../helpers/mesh-ca.js';

type T = Parameters<typeof startMeshCa>[0];

const IDENTITY_NAME = formatDnsName(workloadId('weft', 'identity'));
const request = { identity: 'web.shop', token: Buffer.from('token'), certificateSigningRequest: Buffer.from('csr') };

async function failure(target: CertifyTarget): Promise<CertifyFailedError> {
  const err = await certify(target, request).then(
    () => assert.fail('Certify succeeded'),
    (e: unknown) => e as CertifyFailedError,
  );
  assert.equal(err.code, 'WEFT_ERR_CERTIFY_FAILED');
  return err;
}

/** An HTTP/2 TLS server holding a certificate from `ca` for the identity service's name. */
async function fakeIdentity(t: T, ca: MeshCa, onStream: (s: ServerHttp2Stream, h: IncomingHttpHeaders) => void): Promise<string> {
  const id = await ca.identity(workloadId('weft', 'identity'));
  const server = http2.createSecureServer({ SNICallback: (_name, cb) => cb(null, id.secureContext()), ALPNProtocols: ['h2'] });
  server.on('stream', (s, h) => {
    s.on('error', () => {});
    onStream(s, h);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a service whose certificate is not from our trust anchors is refused at the handshake', async (t) => {
  const ca = await startMeshCa(t);
  const other = await startMeshCa(t);
  const address = await fakeIdentity(t, ca, (s) => s.respond({ ':status': 200 }, { endStream: true }));
  const err = await failure({ address, serverName: IDENTITY_NAME, trustAnchorsPem: other.trustAnchorPem, timeoutMs: 5000 });
  assert.equal(err.grpcCode, 14);
  assert.match(err.message, /certificate/i);
});

test('a certificate for another name is refused at the handshake', async (t) => {
  const ca = await startMeshCa(t);
  const address = await fakeIdentity(t, ca, (s) => s.respond({ ':status': 200 }, { endStream: true }));
  const err = await failure({ address, serverName: formatDnsName(workloadId('weft', 'destination')), trustAnchorsPem: ca.trustAnchorPem, timeoutMs: 5000 });
  assert.equal(err.grpcCode, 14);
  assert.match(err.message, /altnames|does not match/i);
});

test('a connection that never comes up is given up at the connect timeout; a call in flight can be aborted', async (t) => {
  // Accepts TCP, never speaks TLS: the connection is not up.
  const held: net.Socket[] = [];
  const server = net.createServer((s) => held.push(s)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const s of held) s.destroy();
    server.close();
  });
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = performance.now();
  const err = await failure({ address, serverName: IDENTITY_NAME, trustAnchorsPem: '', timeoutMs: 60_000, connectTimeoutMs: 200 });
  assert.equal(err.grpcCode, 14);
  assert.match(err.message, /no connection to .* within 200 ms/);
  assert.ok(performance.now() - started < 3000);
  // Aborting (the identity client closing) ends a call in flight at once.
  const ac = new AbortController();
  const pending = failure({ address, serverName: IDENTITY_NAME, trustAnchorsPem: '', timeoutMs: 60_000, signal: ac.signal });
  ac.abort();
  assert.match((await pending).message, /cancelled/);
});

test('a service that takes the call and never answers fails it at its deadline', async (t) => {
  const ca = await startMeshCa(t);
  const address = await fakeIdentity(t, ca, () => {});
  const started = performance.now();
  const err = await failure({ address, serverName: IDENTITY_NAME, trustAnchorsPem: ca.trustAnchorPem, timeoutMs: 300 });
  assert.equal(err.grpcCode, 4);
  assert.match(err.message, /no answer .* within 300 ms/);
  assert.ok(performance.now() - started < 3000);
});

test('answers that are not a Certify response are failures that say why', async (t) => {
  const ca = await startMeshCa(t);
  const cases: { name: string; answer: (s: ServerHttp2Stream) => void; code: number; message: RegExp }[] = [
    { name: 'HTTP 404', answer: (s) => s.respond({ ':status': 404 }, { endStream: true }), code: 14, message: /HTTP status 404/ },
    { name: 'no grpc-status', answer: (s) => s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { endStream: true }), code: 13, message: /without grpc-status/ },
    {
      name: 'a refusal',
      answer: (s) => s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'not%20yours' }, { endStream: true }),
      code: 7,
      message: /Certify: not yours$/,
    },
    {
      name: 'a body that is not one message',
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
        s.end(Buffer.from([0, 0, 0, 0, 9, 1]));
      },
      code: 13,
      message: /undecodable response/,
    },
    {
      name: 'a reset stream',
      answer: (s) => s.close(http2.constants.NGHTTP2_INTERNAL_ERROR),
      code: 14,
      message: /Certify/,
    },
    {
      name: 'an endless body',
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' });
        const chunk = grpcFrame(Buffer.alloc(64 * 1024));
        const pump = (): void => {
          while (!s.destroyed && s.write(chunk));
          if (!s.destroyed) s.once('drain', pump);
        };
        pump();
      },
      code: 13,
      message: /larger than/,
    },
  ];
  let current = cases[0];
  const asked: string[] = [];
  const address = await fakeIdentity(t, ca, (s, h) => {
    asked.push(`${String(h[':method'])} ${String(h[':path'])} ${String(h['content-type'])} te=${String(h.te)}`);
    current?.answer(s);
  });
  for (const c of cases) {
    current = c;
    const err = await failure({ address, serverName: IDENTITY_NAME, trustAnchorsPem: ca.trustAnchorPem, timeoutMs: 5000 });
    assert.equal(err.grpcCode, c.code, `${c.name}: ${err.message}`);
    assert.match(err.message, c.message, c.name);
  }
  assert.deepEqual(asked, cases.map(() => `POST ${CERTIFY_PATH} application/grpc te=trailers`));
});
