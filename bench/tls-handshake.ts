// TLS handshakes per second of an identity-bearing proxy: a weft proxy (its own process, with
// a certificate from a real identity service) accepts meshed mTLS connections on its inbound
// port; clients here open connections (full TLS 1.3 handshakes, no resumption) as fast as the
// proxy completes them, for a fixed time, and count completed handshakes.
// Run: node dist/bench/tls-handshake.js [--seconds 5] [--concurrency 16]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IdentityClient } from '../src/proxy/identity/client.js';
import { connectMeshed } from '../src/proxy/tls/connect.js';
import { keyExchange } from '../src/proxy/tls/key-exchange.js';
import { parseSpiffe } from '../src/lib/spiffe.js';
import { startBenchIdentity } from './identity-fixture.js';
import { startWeftProxy } from './weft.js';
import { stopProcess } from './procs.js';
import type { TargetContext } from './types.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 16);
  const workDir = mkdtempSync(join(tmpdir(), 'weft-bench-tls-'));
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const identity = await startBenchIdentity(workDir);
  const ctx = { repoRoot, workDir, backend: { host: '127.0.0.1', port: 9 } } as unknown as TargetContext;
  const server = await startWeftProxy('tls-server', ctx, { inboundDst: { host: '127.0.0.1', port: 9 } }, identity.proxyEnv('server'));
  const clientEnv = identity.proxyEnv('client');
  const client = new IdentityClient({
    identity: parseSpiffe(clientEnv.WEFT_PROXY_IDENTITY_LOCAL_NAME as string),
    token: async () => Buffer.from((await import('node:fs')).readFileSync(clientEnv.WEFT_PROXY_IDENTITY_TOKEN_FILE as string)),
    trustAnchorsPem: identity.service.trustAnchorPem,
    address: `127.0.0.1:${identity.service.port}`,
  });
  client.start();
  await client.ready;
  try {
    let done = 0;
    let failed = 0;
    const until = Date.now() + seconds * 1000;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        try {
          const s = await connectMeshed({ host: '127.0.0.1', port: server.inbound.port, expectedIdentity: identity.spiffe('server'), identity: client });
          s.destroy();
          done++;
        } catch {
          failed++;
        }
      }
    };
    const start = Date.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (Date.now() - start) / 1000;
    const kx = keyExchange();
    console.log(`mTLS handshakes accepted by one weft proxy: ${(done / elapsed).toFixed(0)}/s over ${elapsed.toFixed(1)} s ` +
      `(${concurrency} concurrent clients, ${failed} failed, group ${kx.preferredGroup}${kx.postQuantum ? ' (post-quantum hybrid)' : ''})`);
  } finally {
    client.close();
    await stopProcess(server.proc);
    await identity.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
