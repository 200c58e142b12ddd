// A real identity service (the CA, in this process) for the benchmarks that need meshed
// proxies: proxies get their certificates from it with join tokens, as in the local runtime.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCaDirectory } from '../src/control/identity/store.js';
import { startIdentityService, type IdentityService } from '../src/control/identity/service.js';
import { formatSpiffe, workloadId } from '../src/lib/spiffe.js';

export interface BenchIdentity {
  readonly service: IdentityService;
  readonly anchorFile: string;
  /** Where its files (CA, anchor, tokens) are. */
  readonly workDir: string;
  /** WEFT_PROXY_IDENTITY_* variables for a proxy running as `<sa>` in namespace `bench`. */
  proxyEnv(serviceAccount: string): Record<string, string>;
  spiffe(serviceAccount: string): string;
  close(): Promise<void>;
}

export async function startBenchIdentity(workDir: string): Promise<BenchIdentity> {
  const dir = join(workDir, 'ca');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await initCaDirectory({ dir });
  const service = await startIdentityService({ dir, listen: { host: '127.0.0.1', port: 0 } });
  const anchorFile = join(workDir, 'trust-anchor.pem');
  writeFileSync(anchorFile, service.trustAnchorPem);
  return {
    service,
    anchorFile,
    workDir,
    spiffe: (sa) => formatSpiffe(workloadId('bench', sa)),
    proxyEnv(sa) {
      const tokenFile = join(workDir, `${sa}.token`);
      writeFileSync(tokenFile, service.issueJoinToken(workloadId('bench', sa)), { mode: 0o600 });
      return {
        WEFT_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${service.port}`,
        WEFT_PROXY_IDENTITY_LOCAL_NAME: formatSpiffe(workloadId('bench', sa)),
        WEFT_PROXY_IDENTITY_TRUST_ANCHORS_FILE: anchorFile,
        WEFT_PROXY_IDENTITY_TOKEN_FILE: tokenFile,
      };
    },
    close: () => service.close(),
  };
}
