// `weft identity init|serve|token|show`: the certificate authority and a look at a proxy's
// certificate. Thin: the work is in src/control/identity/.
import type { Command } from 'commander';
import { Option } from 'commander';
import { Logger, isLogLevel } from '../lib/log.js';
import { parseAddress } from '../lib/address.js';
import { ConfigError, WeftError } from '../lib/errors.js';
import { DEFAULT_TRUST_DOMAIN, parseIdentity } from '../lib/spiffe.js';
import { initCaDirectory, loadJoinTokens } from '../control/identity/store.js';
import { startIdentityService } from '../control/identity/service.js';
import { describeIdentity, fetchIdentitySnapshot } from '../control/identity/show.js';
import { DEFAULT_TOKEN_AUDIENCE } from '../control/identity/tokens.js';

interface ServeFlags {
  dir?: string;
  issuerSecret?: string;
  issuerSecretPoll: string;
  tokenVerifier: string;
  tokenAudience: string;
  kubeconfig?: string;
  listen: string;
  trustDomain?: string;
  issuerLifetime: string;
  leafLifetime: string;
  logLevel: string;
}

/** "90s", "15m", "24h", "365d" -> milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(s.trim());
  if (!m) throw new ConfigError(`invalid duration "${s}" (use e.g. 30s, 15m, 24h, 365d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Reports weft's own errors as one line (they are meant for the user), others as thrown. */
function clean<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      if (!(err instanceof WeftError)) throw err;
      process.stderr.write(`weft identity: ${err.message} [${err.code}]\n`);
      process.exitCode = 1;
    }
  };
}

export function register(program: Command): void {
  const identity = program.command('identity').description('certificate authority for mesh identities (mTLS)');

  identity
    .command('init')
    .description('create a trust anchor (365 days) and an issuer in a directory')
    .requiredOption('--dir <dir>', 'directory for the CA files')
    .option('--trust-domain <domain>', 'identity trust domain', DEFAULT_TRUST_DOMAIN)
    .option('--issuer-lifetime <duration>', 'issuer certificate lifetime', '24h')
    .option('--force', 'replace an existing trust anchor', false)
    .action(
      clean(async (f: { dir: string; trustDomain: string; issuerLifetime: string; force: boolean }) => {
        await initCaDirectory({ dir: f.dir, trustDomain: f.trustDomain, issuerLifetimeMs: parseDuration(f.issuerLifetime), force: f.force });
        process.stdout.write(`trust anchor and issuer written to ${f.dir} (give proxies ${f.dir}/trust-anchor.crt)\n`);
      }),
    );

  identity
    .command('serve')
    .description('serve the Identity gRPC API (Certify) over TLS from a CA directory or, on Kubernetes, the issuer Secret')
    .option('--dir <dir>', 'directory with the CA files')
    .option('--issuer-secret <ns/name>', 'Kubernetes: read the issuer from this Secret (tls.crt, tls.key, ca.crt) instead of --dir')
    .addOption(new Option('--token-verifier <kind>', 'how proxies prove who they are: local join tokens, or Kubernetes service-account tokens (TokenReview)').choices(['local', 'kubernetes']).default('local'))
    .option('--token-audience <aud>', 'audience of the service-account tokens (kubernetes verifier)', DEFAULT_TOKEN_AUDIENCE)
    .option('--issuer-secret-poll <duration>', 'how often the issuer Secret is re-read for a rotated issuer', '60s')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--listen <addr>', 'address to serve gRPC on', '127.0.0.1:8080')
    .option('--trust-domain <domain>', 'trust domain (default: the one recorded by init)')
    .option('--issuer-lifetime <duration>', 'lifetime of rotated issuers', '24h')
    .option('--leaf-lifetime <duration>', 'lifetime of proxy certificates', '24h')
    .option('--log-level <level>', 'error|warn|info|debug|trace', 'info')
    .action(
      clean(async (f: ServeFlags) => {
        if (!isLogLevel(f.logLevel)) throw new ConfigError(`invalid --log-level ${f.logLevel}`);
        if (!f.dir === !f.issuerSecret) throw new ConfigError('give exactly one of --dir and --issuer-secret');
        const log = new Logger(f.logLevel, 'weft:identity');
        const svc = await startIdentityService({
          dir: f.dir,
          issuerSecret: f.issuerSecret,
          kubeconfig: f.kubeconfig,
          tokenKind: f.tokenVerifier,
          tokenAudience: f.tokenAudience,
          issuerSecretPollMs: parseDuration(f.issuerSecretPoll),
          listen: parseAddress(f.listen, '127.0.0.1'),
          trustDomain: f.trustDomain,
          issuerLifetimeMs: parseDuration(f.issuerLifetime),
          leafLifetimeMs: parseDuration(f.leafLifetime),
          log,
        });
        // Tests and scripts read the bound port from this line (useful with --listen :0).
        process.stdout.write(`listening on port ${svc.port}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await svc.close();
      }),
    );

  identity
    .command('token')
    .description('print a local join token proving an identity (for a proxy started by hand)')
    .requiredOption('--dir <dir>', 'directory with the CA files')
    .requiredOption('--identity <id>', 'spiffe://<td>/ns/<ns>/sa/<sa> or <sa>.<ns>.serviceaccount.identity.weft.<td>')
    .option('--ttl <duration>', 'token lifetime', '365d')
    .action(
      clean(async (f: { dir: string; identity: string; ttl: string }) => {
        const tokens = await loadJoinTokens(f.dir);
        process.stdout.write(tokens.issue(parseIdentity(f.identity), parseDuration(f.ttl)) + '\n');
      }),
    );

  identity
    .command('show')
    .description("print a proxy's certificate identity and expiry (from its admin server)")
    .requiredOption('--admin <host:port>', "the proxy's admin address, e.g. 127.0.0.1:4191")
    .option('--json', 'print the JSON as served', false)
    .action(
      clean(async (f: { admin: string; json: boolean }) => {
        const snap = await fetchIdentitySnapshot(f.admin);
        process.stdout.write((f.json ? JSON.stringify(snap ?? null) : describeIdentity(snap, Date.now())) + '\n');
        if (!snap) process.exitCode = 1;
      }),
    );
}
