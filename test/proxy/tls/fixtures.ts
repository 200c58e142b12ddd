// A throwaway PKI for mTLS tests: an anchor, an issuer, and leaves for any identity (including
// expired ones). Built with the CA's own certificate code.
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import type { SigningCert } from '../../../src/control/identity/pki.js';
import { createIssuer, createTrustAnchor, exportKeyPem, generateKeyPair, signLeaf } from '../../../src/control/identity/pki.js';
import type { WorkloadId } from '../../../src/lib/spiffe.js';
import type { TlsIdentity } from '../../../src/proxy/tls/context.js';
import { staticTlsIdentity } from '../../../src/proxy/tls/context.js';

export interface TestPki {
  readonly anchorPem: string;
  readonly issuer: SigningCert;
  /** A TLS identity for `id` whose chain ends at this PKI's anchor (trusting `trustPem`). */
  identity(id: WorkloadId, opts?: { expired?: boolean; trustPem?: string }): Promise<TlsIdentity>;
}

export async function testPki(trustDomain = 'cluster.local'): Promise<TestPki> {
  const now = Date.now();
  const anchor = await createTrustAnchor({ trustDomain, now });
  const issuer = await createIssuer({ anchor, trustDomain, now, lifetimeMs: 3600_000 });
  const anchorPem = anchor.cert.toString('pem') + '\n';
  return {
    anchorPem,
    issuer,
    async identity(id, opts = {}) {
      const keys = await generateKeyPair();
      const leaf = opts.expired
        ? await signLeaf({ issuer, publicKey: keys.publicKey, id, now: now - 120_000, lifetimeMs: 60_000, notBefore: now - 120_000 })
        : await signLeaf({ issuer, publicKey: keys.publicKey, id, now, lifetimeMs: 600_000 });
      return staticTlsIdentity({
        keyPem: await exportKeyPem(keys.privateKey),
        certChainPem: leaf.toString('pem') + '\n' + issuer.cert.toString('pem') + '\n',
        trustAnchorsPem: opts.trustPem ?? anchorPem,
      });
    },
  };
}

/** A TCP server on 127.0.0.1:0 handing each accepted socket to `onSocket`; closed after the test. */
export async function listen(t: { after(fn: () => void | Promise<void>): void }, onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}
