// A real identity service (the control plane's CA, on port 0, in a temp directory) for tests
// that attack a `weft proxy` process holding a real certificate: the environment that gives a
// proxy its identity, and client identities certified by the same CA (a legitimate peer, or an
// attacker who holds a mesh certificate as any meshed workload would).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCaDirectory } from '../../src/control/identity/store.js';
import { startIdentityService } from '../../src/control/identity/service.js';
import { Logger } from '../../src/lib/log.js';
import { formatSpiffe, type WorkloadId } from '../../src/lib/spiffe.js';
import type { IdentityClient } from '../../src/proxy/identity/client.js';
import { startIdentity } from '../../src/proxy/identity-wiring.js';
import { ProxyMetrics } from '../../src/proxy/metrics/registry.js';

type After = { after(fn: () => void | Promise<void>): void };

export interface MeshCa {
  readonly trustAnchorPem: string;
  /** WEFT_PROXY_IDENTITY_* for a proxy that is `ns/sa`. */
  proxyEnv(id: WorkloadId): Record<string, string>;
  /** An identity certified by this CA, ready to use (closed after the test). */
  identity(id: WorkloadId): Promise<IdentityClient>;
}

export async function startMeshCa(t: After): Promise<MeshCa> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sec-ca-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initCaDirectory({ dir: join(dir, 'ca') });
  const ca = await startIdentityService({ dir: join(dir, 'ca'), listen: { host: '127.0.0.1', port: 0 } });
  t.after(() => ca.close());
  const anchorFile = join(dir, 'anchor.pem');
  writeFileSync(anchorFile, ca.trustAnchorPem);
  const proxyEnv = (id: WorkloadId): Record<string, string> => {
    const tokenFile = join(dir, `${id.namespace}.${id.serviceAccount}.token`);
    writeFileSync(tokenFile, ca.issueJoinToken(id), { mode: 0o600 });
    return {
      WEFT_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${ca.port}`,
      WEFT_PROXY_IDENTITY_LOCAL_NAME: formatSpiffe(id),
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS_FILE: anchorFile,
      WEFT_PROXY_IDENTITY_TOKEN_FILE: tokenFile,
    };
  };
  return {
    trustAnchorPem: ca.trustAnchorPem,
    proxyEnv,
    async identity(id) {
      const env = proxyEnv(id);
      const client = startIdentity(
        {
          svcAddr: env.WEFT_PROXY_IDENTITY_SVC_ADDR as string,
          svcName: undefined,
          localName: formatSpiffe(id),
          trustAnchorsPem: ca.trustAnchorPem,
          tokenFile: env.WEFT_PROXY_IDENTITY_TOKEN_FILE as string,
        },
        new Logger('error'),
        new ProxyMetrics(),
      );
      t.after(() => client.close());
      await client.ready;
      return client;
    },
  };
}

